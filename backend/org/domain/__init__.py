"""Pure rules of the organisation: kinds of projects, assets and customers, the status machine, geofences."""
