"""Unit tests of field."""
