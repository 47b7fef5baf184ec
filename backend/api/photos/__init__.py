"""API resource `/api/photos`: field evidence, uploaded by SHA-256 (`PUT /api/photos/{sha256}`)."""

from backend.api.photos import routes as routes
