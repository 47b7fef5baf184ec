"""API tests of core."""
