"""Offline sync protocol and engine (arrives with the sync issue)."""
