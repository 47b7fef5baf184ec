"""Unit tests of banking."""
