"""Use cases: one function per command; each commits its unit of work exactly once."""
