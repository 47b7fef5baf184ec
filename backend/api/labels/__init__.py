"""API resource: QR labels (sheets per project, one label per asset)."""

from backend.api.labels import routes as routes
