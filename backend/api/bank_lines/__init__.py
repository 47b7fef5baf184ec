"""API resource `/api/bank-lines`: the difference list, matching by hand, and reconciliation runs."""

from backend.api.bank_lines import routes as routes
