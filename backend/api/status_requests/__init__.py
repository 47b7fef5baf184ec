"""API resource `/api/status-requests`: field status change requests, filed and decided."""

from backend.api.status_requests import routes as routes
