"""API resource `/api/auth`: sign-in and sign-out, the caller, passwords and phones' device tokens."""

from backend.api.auth import routes as routes
