"""Integration tests of leasing."""
