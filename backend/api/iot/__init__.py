"""IoT gateways, devices, ingest, signals, flags, viewings and the consistency audit."""

from backend.api.iot import routes as routes
