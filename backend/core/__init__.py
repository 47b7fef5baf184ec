"""What every context shares: access and scope, audit, four-eyes approvals, jobs, events, sign-in."""
