"""Analytics' tables and the KPI queries: the only place that knows how the portfolio is summed in SQL."""
