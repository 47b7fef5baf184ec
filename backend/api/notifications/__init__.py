"""API resource: notifications."""

from backend.api.notifications import routes as routes
