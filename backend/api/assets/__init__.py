"""API resource `/api/assets`: assets (space units and equipment) and their status changes."""

from backend.api.assets import routes as routes
