"""Leasing: templates, leases and their lifecycle, charge lines, rent schedules, amendments, codes, import."""
