"""API resource `/api/leases`: drafting, lifecycle actions, charge lines, schedules, amendments."""

from backend.api.leases import routes as routes
