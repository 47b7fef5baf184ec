"""API resource `/api/work-orders`: work orders, opened, started, completed, cancelled."""

from backend.api.work_orders import routes as routes
