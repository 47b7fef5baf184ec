"""API resource `/api/deposits`: deposits held apart from rent, and their movements."""

from backend.api.deposits import routes as routes
