"""API resource: offline sync (push commands, pull changes)."""

from backend.api.sync import routes as routes
