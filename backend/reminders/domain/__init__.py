"""The reminders' rules, free of storage: which dates a lease has, when each tier fires, why one does not."""
