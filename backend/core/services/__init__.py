"""Use cases every context shares: sign-in, users, audit, four-eyes approvals, job runs, domain events.

Also the acting `Actor` (context.py), the unit-of-work port (unit_of_work.py) and the steps shared by
create/update/delete use cases (crud.py).
"""
