"""API resource: inspections."""

from backend.api.inspections import routes as routes
