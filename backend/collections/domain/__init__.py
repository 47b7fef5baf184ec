"""Pure rules of collections: dunning tiers, late fees, pauses, credit scoring, lease health."""
