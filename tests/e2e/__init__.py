"""End-to-end tests of the field app in a real browser."""
