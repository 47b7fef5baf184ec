"""Integration tests of field."""
