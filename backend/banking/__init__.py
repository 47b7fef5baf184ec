"""The banking context: our bank accounts, statement imports, reconciliation."""
