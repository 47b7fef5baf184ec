"""Work in the field: status requests, work orders, inspections, checklists, photos, labels, automations."""
