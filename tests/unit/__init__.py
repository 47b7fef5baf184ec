"""Unit tests: pure rules, and fakes instead of the database, a folder per context; and the import rule."""
