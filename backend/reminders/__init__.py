"""Critical dates, reminder rules, the reminder engine, tasks and the "why not?" of a lease's reminders."""
