"""API tests of leasing."""
