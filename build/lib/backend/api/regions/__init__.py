"""API resource: regions."""

from backend.api.regions import routes as routes
