"""API resource `/api/sync`: offline sync, phones push queued commands and pull their scope's changes."""

from backend.api.sync import routes as routes
