"""Unit tests of sync."""
