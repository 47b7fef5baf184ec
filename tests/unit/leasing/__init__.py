"""Unit tests of leasing."""
