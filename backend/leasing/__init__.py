"""Leasing: templates, leases and their lifecycle, charge lines, rent schedules, amendments, codes, import.

jobs.py holds its scheduled jobs: the daily lifecycle advance and the weekly schedule dry run.
"""
