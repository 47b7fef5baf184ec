"""Notifications: the in-app inbox, Web Push subscriptions, the push outbox, and sending Web Push.

delivery.py sends Web Push after the transaction commits, signed with the VAPID keys of vapid.py.
"""
