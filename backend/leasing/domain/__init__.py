"""Pure rules of leasing: contract types, the lease lifecycle, amendments, codes, import layout, schedules.

cells.py reads spreadsheet cells for the import; schedule/ is the rent-schedule engine.
"""
