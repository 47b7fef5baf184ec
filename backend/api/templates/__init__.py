"""API resource `/api/contract-templates`: contract templates."""

from backend.api.templates import routes as routes
