"""API resource `/api/job-runs`: recorded job runs, read within scope; failed ones retried."""

from backend.api.jobs import routes as routes
