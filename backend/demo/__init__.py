"""Realistic, deterministic demo data for trying LeaseKeeper out.

generator.py and leasing.py plan the data (pure); seed.py writes it into an empty database, audited, in one
transaction.
"""
