"""API resource: templates."""

from backend.api.templates import routes as routes
