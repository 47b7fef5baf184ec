"""API resource: `/healthz` (liveness) and `/readyz` (readiness) for load balancers and orchestrators."""

from backend.api.health import routes as routes
