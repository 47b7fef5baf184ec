"""The IoT rules, free of the database: readings, daily use, flags and the audit."""
