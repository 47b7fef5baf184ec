"""API resource: work orders."""

from backend.api.work_orders import routes as routes
