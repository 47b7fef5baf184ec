"""Pure rules of leasing: contract types, the lease lifecycle, amendments, codes, import layout, schedules."""
