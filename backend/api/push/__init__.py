"""API resource `/api/push`: the VAPID public key, Web Push subscriptions, a test push."""

from backend.api.push import routes as routes
