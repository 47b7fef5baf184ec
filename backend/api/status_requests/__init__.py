"""API resource: field status change requests."""

from backend.api.status_requests import routes as routes
