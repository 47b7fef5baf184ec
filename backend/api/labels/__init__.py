"""API resource: QR labels, a project's label sheet (PDF) and one asset's label (PNG or SVG)."""

from backend.api.labels import routes as routes
