"""API resource: customers."""

from backend.api.customers import routes as routes
