"""API resource `/api/customers`: customers (tenants) with contacts, bank accounts and payer names."""

from backend.api.customers import routes as routes
