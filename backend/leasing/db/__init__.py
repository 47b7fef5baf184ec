"""Mapped classes and repositories of leasing: templates, leases, charge lines, schedules, amendments."""
