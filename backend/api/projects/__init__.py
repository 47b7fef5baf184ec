"""API resource: projects."""

from backend.api.projects import routes as routes
