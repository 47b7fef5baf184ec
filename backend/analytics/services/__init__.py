"""Analytics use cases: the dashboard, its drill-downs, expected vacancies, snapshots and reports."""
