"""API resource `/api/charges`: bills with their open amounts, and one-off charges billed by hand."""

from backend.api.charges import routes as routes
