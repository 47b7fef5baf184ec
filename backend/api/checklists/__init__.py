"""API resource `/api/checklists`: inspection checklists, one active version per asset type."""

from backend.api.checklists import routes as routes
