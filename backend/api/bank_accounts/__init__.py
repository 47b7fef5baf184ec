"""API resources `/api/bank-accounts` and `/api/bank-profiles`: our accounts, statement layouts as data."""

from backend.api.bank_accounts import routes as routes
