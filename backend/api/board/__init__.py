"""API resource: the asset board."""

from backend.api.board import routes as routes
