"""API resource: audit."""

from backend.api.audit import routes as routes
