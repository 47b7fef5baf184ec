"""The collections context: dunning after reconciliation, late fees, pauses, legal cases, equipment locks, credit profiles, lease health."""
