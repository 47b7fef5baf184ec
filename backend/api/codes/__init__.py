"""API resources `/api/code-aliases` and `/api/price-indexes`: the alias table and CPI series."""

from backend.api.codes import routes as routes
