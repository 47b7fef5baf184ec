"""The organisation: regions, projects, assets and their status machine, geofences, customers, the board."""
