"""Realistic, deterministic demo data for trying LeaseKeeper out."""
