"""API resource: jobs."""

from backend.api.jobs import routes as routes
