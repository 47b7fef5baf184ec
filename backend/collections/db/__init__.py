"""Tables and repositories of collections."""
