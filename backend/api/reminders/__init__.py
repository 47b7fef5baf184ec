"""Reminder rules, tasks, explanations, critical dates, runs and calendar feeds over HTTP."""

from backend.api.reminders import routes as routes
