"""Integration tests of core."""
