"""Tables and repositories of receivables."""
