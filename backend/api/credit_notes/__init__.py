"""API resource `/api/credit-notes`: reductions of what a customer owes, numbered like bills."""

from backend.api.credit_notes import routes as routes
