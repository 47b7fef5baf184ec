"""Schemathesis over the whole OpenAPI document: no 500s, and every response as documented."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from backend.core.domain.audit import Origin
from backend.core.services.context import Actor

SYSTEM = Actor.system(Origin.CLI, "fuzz")


@pytest.fixture
def api_schema(
    app: Any, make_user: Any, make_region: Any, make_project: Any, make_asset: Any, make_customer: Any
) -> Any:
    """The live document of an application holding a little of everything (ids 1 exist)."""
    region = make_region("EAST")
    project = make_project(region, "SH-01")
    make_asset(project, "SH-01-0101")
    make_customer(region, "C-0001")
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.fixture
def admin_headers(make_user: Any, bearer_client: Any) -> dict[str, str]:
    """Requests go out as an administrator's phone, so every endpoint is reachable."""
    phone = bearer_client(make_user("admin", username="fuzz-admin"))
    # Uncompressed answers: the in-process transport hands over a gzip body (sync pulls above 1 KB) as it
    # came, where an HTTP client would decode it; compression has its own tests in tests/api/sync.
    return {"Authorization": phone.environ_base["HTTP_AUTHORIZATION"], "Accept-Encoding": "identity"}


schema = schemathesis.pytest.from_fixture("api_schema")


# Revoking its own device would leave the rest of the run signed out; revocation has its own tests.
@schema.exclude(path_regex=r"/api/devices/\{device_id\}/revoke").parametrize()
@settings(
    max_examples=10,  # the whole document on two databases; keeps the suite inside its 15 minutes
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_endpoint_answers_as_documented_and_never_fails(
    case: Any, admin_headers: dict[str, str]
) -> None:
    # Every request carries a valid administrator token, so "invalid auth accepted" cannot apply
    # (missing and bad credentials are tested in test_auth.py). Schema-valid data may still break
    # a business rule (an unknown time zone, a wrong current password) and rightly get a 422.
    case.call_and_validate(headers=admin_headers, excluded_checks=[ignored_auth, positive_data_acceptance])
