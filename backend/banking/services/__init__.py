"""Use cases of banking: bank accounts, profiles, statement imports, daily reconciliation, matching."""
