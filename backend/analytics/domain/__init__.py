"""Pure rules of analytics: what each KPI means, how rows add up to it, and the monthly report's content."""
