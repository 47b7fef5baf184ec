"""API tests: HTTP through the Flask test client against a migrated database, one folder per context."""
