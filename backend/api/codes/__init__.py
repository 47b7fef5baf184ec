"""API resource: codes."""

from backend.api.codes import routes as routes
