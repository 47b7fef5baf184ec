"""API resource `/api/projects`: projects (sites) and their field policy."""

from backend.api.projects import routes as routes
