"""Use cases of leasing: templates, leases and their lifecycle, schedules, amendments, codes, import."""
