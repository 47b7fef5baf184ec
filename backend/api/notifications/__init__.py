"""API resource `/api/notifications`: the caller's in-app inbox."""

from backend.api.notifications import routes as routes
