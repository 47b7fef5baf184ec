"""Integration tests of demo."""
