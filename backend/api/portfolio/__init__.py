"""API resource `/api/portfolio`: the dashboard, drill-downs, expected vacancies, monthly reports."""

from backend.api.portfolio import routes as routes
