"""API resource: photos (field evidence)."""

from backend.api.photos import routes as routes
