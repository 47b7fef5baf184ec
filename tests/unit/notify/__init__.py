"""Unit tests of notify."""
