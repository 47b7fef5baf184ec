"""Mapped classes and repositories of field work: requests, GPS fixes, work orders, inspections, photos.

Checklists and their items live here too.
"""
