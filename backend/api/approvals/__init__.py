"""API resource `/api/approvals`: four-eyes approvals, listed and decided (approve, reject, cancel)."""

from backend.api.approvals import routes as routes
