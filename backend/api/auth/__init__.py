"""API resource: auth."""

from backend.api.auth import routes as routes
