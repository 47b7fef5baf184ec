"""Use cases of the reminders: rules, the daily engine, tasks, explanations, critical dates, feeds."""
