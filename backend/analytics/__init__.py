"""The analytics context: portfolio KPIs under one set of definitions, their monthly snapshots and reports."""
