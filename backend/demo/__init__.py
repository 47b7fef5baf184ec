"""Realistic, deterministic demo data for trying LeaseKeeper out.

generator.py and leasing.py plan the data (pure); seed.py writes it into an empty database, audited, in one
transaction. iot.py simulates a year of meter readings and door events over the plan (pure), with planted
anomalies and data faults and their ground truth.
"""
