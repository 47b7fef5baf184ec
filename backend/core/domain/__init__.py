"""Pure rules every context shares: roles and scope, audit, approvals, errors, jobs, listing, sign-in."""
