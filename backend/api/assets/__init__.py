"""API resource: assets."""

from backend.api.assets import routes as routes
