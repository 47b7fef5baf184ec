"""API resources `/api/notification-channels`, `/api/notification-preferences`, `/api/deliveries`."""

from backend.api.channels import routes as routes
