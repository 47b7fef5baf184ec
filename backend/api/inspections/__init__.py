"""API resource `/api/inspections`: inspections filed against a checklist, read within scope."""

from backend.api.inspections import routes as routes
