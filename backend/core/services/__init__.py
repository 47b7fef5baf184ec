"""Use cases every context shares: sign-in, users, audit, four-eyes approvals, job runs, domain events."""
