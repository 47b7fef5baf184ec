"""Unit tests of qr_tools."""
