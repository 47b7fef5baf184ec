"""Use cases of field work: status requests, work orders, inspections, photos, labels, automations."""
