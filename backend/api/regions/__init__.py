"""API resource `/api/regions`: regions, which group projects."""

from backend.api.regions import routes as routes
