"""IoT use cases: gateways and devices, ingest, flags, viewings and the audit."""
