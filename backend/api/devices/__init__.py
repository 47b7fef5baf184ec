"""API resource `/api/devices`: phones bound to users, listed and revoked."""

from backend.api.devices import routes as routes
