"""LeaseKeeper's test suite in tiers; unit, integration and api each mirror the contexts.

unit/ (pure, with fakes), integration/ (real SQLite and PostgreSQL, the CLI), api/ (the Flask test client),
e2e/ (the field app in a real browser); support/ holds helpers shared by the tiers.
"""
