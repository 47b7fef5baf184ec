"""API resource: devices."""

from backend.api.devices import routes as routes
