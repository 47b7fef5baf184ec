"""Pure rules of field work: status change requests, work orders, checklists and inspection answers."""
