"""API tests of org."""
