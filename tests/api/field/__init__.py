"""API tests of field."""
