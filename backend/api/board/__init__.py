"""API resource `/api/board`: a project's assets by status with counts, and each asset's card."""

from backend.api.board import routes as routes
