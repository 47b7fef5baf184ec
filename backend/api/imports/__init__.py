"""API resource: imports of existing data from spreadsheets."""

from backend.api.imports import routes as routes
