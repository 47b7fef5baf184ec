"""API resource: health."""

from backend.api.health import routes as routes
