"""The collections workbench, pauses, cases, tasks, policies, credit profiles and lease health over HTTP."""

from backend.api.collections import routes as routes
