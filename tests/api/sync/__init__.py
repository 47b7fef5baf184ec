"""API tests of sync."""
