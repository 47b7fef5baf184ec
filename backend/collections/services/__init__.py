"""Use cases of collections."""
