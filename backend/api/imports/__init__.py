"""API resource `/api/imports`: lease files from spreadsheets, previewed or committed all-or-nothing."""

from backend.api.imports import routes as routes
