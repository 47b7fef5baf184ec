"""API resource `/api/audit`: the append-only audit log, read within scope."""

from backend.api.audit import routes as routes
