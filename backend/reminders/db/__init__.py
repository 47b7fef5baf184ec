"""Reminder rules, manual critical dates, tasks and calendar feeds in SQL."""
