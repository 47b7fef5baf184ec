"""The sync simulator: many phones with injected faults against a live server, and the exactly-once check."""
