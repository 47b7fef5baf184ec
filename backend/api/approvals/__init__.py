"""API resource: approvals."""

from backend.api.approvals import routes as routes
