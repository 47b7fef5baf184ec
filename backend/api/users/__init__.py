"""API resource `/api/users`: user accounts, role assignments, deactivation."""

from backend.api.users import routes as routes
