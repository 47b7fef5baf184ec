"""Pure rules of receivables: the ledger, billing, aging and statements, deposits."""
