"""Unit tests of org."""
