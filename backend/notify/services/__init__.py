"""Use cases of notifications: notify people, read one's inbox, manage push subscriptions."""
