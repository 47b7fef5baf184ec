"""Mapped classes and repositories of leasing: templates, leases, charge lines, schedules, amendments.

Code aliases and price index series live here too.
"""
