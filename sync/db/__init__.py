"""Sync bookkeeping in the database: each device's applied sequence, rejected commands, the change log."""
