"""The collections context: dunning after reconciliation, late fees, pauses, cases, credit, lease health."""
