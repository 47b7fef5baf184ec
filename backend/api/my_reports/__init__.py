"""API resource `/api/field/my-reports`: the caller's field reports and what became of them."""

from backend.api.my_reports import routes as routes
