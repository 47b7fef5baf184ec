"""Use cases of receivables: the billing run, payments, allocations, credit notes, refunds, deposits."""
