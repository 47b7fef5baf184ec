"""Persistence shared by every context: base, sessions, unit of work, scoping, migrations.

Also core's own tables (users, devices, sign-in attempts, audit, approvals, job runs, domain events) and
their repositories.
"""
