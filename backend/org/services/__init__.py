"""Use cases of the organisation: regions, projects, assets, customers, asset status, the asset board."""
