"""Integration tests of sync."""
