"""API resource `/api/payments`: money received, its allocations to charges, its refunds."""

from backend.api.payments import routes as routes
