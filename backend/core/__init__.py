"""What every context shares: access, audit, approvals, job runs, events, errors, sign-in, users.

domain/ holds the pure rules, services/ the shared use cases and the unit-of-work port, db/ the declarative
base, sessions, the SQLAlchemy unit of work, the scoping rule in SQL and the migrations.
"""
