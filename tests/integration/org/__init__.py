"""Integration tests of org."""
