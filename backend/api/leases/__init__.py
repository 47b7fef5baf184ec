"""API resource: leases (drafting, lifecycle, schedules, amendments)."""

from backend.api.leases import routes as routes
