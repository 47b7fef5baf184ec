"""API resource: users."""

from backend.api.users import routes as routes
