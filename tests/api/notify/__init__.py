"""API tests of notify."""
