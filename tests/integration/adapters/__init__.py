"""Integration tests of adapters."""
