"""Mapped classes and repositories of the organisation: regions, projects, assets, customers, the board."""
