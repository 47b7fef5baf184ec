"""Mapped classes and repositories of notifications: the inbox, push subscriptions, the push outbox."""
