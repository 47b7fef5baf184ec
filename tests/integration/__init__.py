"""Integration tests against real SQLite and PostgreSQL: migrations, races, storage, the CLI; by context."""
