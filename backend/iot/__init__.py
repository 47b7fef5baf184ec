"""IoT signals: gateways, meters and door sensors, their readings, the flags they raise, and the monthly
consistency audit of every asset against its leases, work orders, field requests and signals."""
