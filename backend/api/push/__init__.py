"""API resource: Web Push subscriptions."""

from backend.api.push import routes as routes
