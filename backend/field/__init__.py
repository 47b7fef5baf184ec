"""Work in the field: status requests, work orders, inspections, checklists, photos, labels, automations.

jobs.py holds its hourly job: expiring the requests whose time ran out.
"""
