"""Offline sync for phones, free of Flask: wire protocol, command registry, push engine, pull feed, pruning.

protocol.py (the wire format), commands.py (each command's versions and decoder), engine.py (applying a push),
feed.py (pulling), prune.py and jobs.py (keeping the change log bounded, daily). Apart: db/ (sync bookkeeping
in the database), client/ (the reference client) and sim/ (the simulator).
"""
