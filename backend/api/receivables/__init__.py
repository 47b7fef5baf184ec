"""API resource `/api/receivables`: aging, customers' statements of account, billing runs by hand."""

from backend.api.receivables import routes as routes
