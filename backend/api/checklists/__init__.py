"""API resource: checklists."""

from backend.api.checklists import routes as routes
