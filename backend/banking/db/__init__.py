"""Tables and repositories of banking."""
