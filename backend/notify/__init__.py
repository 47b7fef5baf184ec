"""Notification channels beyond the in-app inbox."""
