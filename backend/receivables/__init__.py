"""The receivables context: charges billed from schedules, payments, allocations, credits, deposits."""
