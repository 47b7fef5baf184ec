"""API resource `/api/bank-statements`: statement files previewed, or imported all-or-nothing."""

from backend.api.bank_statements import routes as routes
