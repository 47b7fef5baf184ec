"""Holiday calendar years and code aliases through the API: refusals named, provisional dates marked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from backend.leasing.services import calendars, leases
from backend.org.domain.org import AssetType
from tests.api.leasing.test_leases import OFFICE_TEMPLATE, draft
from tests.conftest import SYSTEM
from tests.integration.leasing.test_calendar_years import ARRANGEMENT_2027

BODY = {
    "holidays": [d.isoformat() for d in ARRANGEMENT_2027["holidays"]],
    "working_days": [d.isoformat() for d in ARRANGEMENT_2027["working_days"]],
    "source": ARRANGEMENT_2027["source"],
}


@pytest.fixture(autouse=True)
def _forget_entered_years() -> Iterator[None]:
    yield
    calendars.bind(None)


@pytest.fixture
def site(make_region: Any, make_project: Any, make_asset: Any, make_customer: Any, make_user: Any) -> Any:
    """An office project with a unit, a customer, its leasing agent and its project manager."""
    region = make_region()
    project = make_project(region)

    class Site:
        pass

    site = Site()
    site.units = [make_asset(project, asset_type=AssetType.OFFICE)]  # type: ignore[attr-defined]
    site.customer = make_customer(region)  # type: ignore[attr-defined]
    site.agent = make_user("leasing_agent", project_id=project.id)  # type: ignore[attr-defined]
    site.manager = make_user("project_manager", project_id=project.id)  # type: ignore[attr-defined]
    return site


@pytest.fixture
def template(run: Callable[..., Any]) -> Any:
    """The standard office template (quarterly prepaid, 15 days ahead, following business day)."""
    return run(leases.create_template, dict(OFFICE_TEMPLATE), SYSTEM)


@pytest.mark.parametrize(
    ("alias", "message"),
    [
        # Users read in Chinese unless they choose otherwise; the alias is named as normalised.
        ("季付", "“季付”是 quarterly 的内置别名，不能重新定义。"),
        ("季 付", "“季付”是 quarterly 的内置别名，不能重新定义。"),
        ("quarterly", "“quarterly”本身就是 frequency 的代码，不能作为别名。"),
        ("ＱＵＡＲＴＥＲＬＹ", "“quarterly”本身就是 frequency 的代码，不能作为别名。"),
    ],
)
def test_an_alias_shadowing_a_built_in_is_refused_with_409_naming_it(
    bearer_client: Callable[..., FlaskClient], make_user: Any, alias: str, message: str
) -> None:
    admin = bearer_client(make_user("admin"))
    response = admin.post(
        "/api/code-aliases", json={"domain": "frequency", "alias": alias, "canonical": "monthly"}
    )
    assert response.status_code == 409, response.json
    assert response.json["message"] == message
    assert response.json["errors"]["json"]["alias"] == [message]
    assert admin.get("/api/code-aliases").json == []


def test_a_lease_typed_ji_fu_stays_quarterly(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient], make_user: Any
) -> None:
    admin = bearer_client(make_user("admin"))
    admin.post("/api/code-aliases", json={"domain": "frequency", "alias": "季付", "canonical": "monthly"})
    response = bearer_client(site.agent).post("/api/leases", json=draft(site, template, frequency="季付"))
    assert response.status_code == 201, response.json
    assert response.json["frequency"] == "quarterly"


def test_entering_2027_needs_head_office_and_a_complete_body(
    site: Any, bearer_client: Callable[..., FlaskClient], make_user: Any
) -> None:
    admin = bearer_client(make_user("admin"))
    missing = admin.put("/api/holiday-calendars/CN/years/2027", json={"holidays": BODY["holidays"]})
    assert missing.status_code == 422
    assert "working_days" in missing.json["errors"]["json"]
    weekday = admin.put("/api/holiday-calendars/CN/years/2027", json=BODY | {"working_days": ["2027-10-08"]})
    assert weekday.status_code == 422
    assert "working_days" in weekday.json["errors"]["json"]
    unknown = admin.put("/api/holiday-calendars/XX/years/2027", json=BODY)
    assert unknown.status_code == 422
    assert "code" in unknown.json["errors"]["json"]
    refused = bearer_client(site.manager).put("/api/holiday-calendars/CN/years/2027", json=BODY)
    assert refused.status_code == 403


def test_schedules_mark_2027_dates_provisional_until_head_office_enters_the_year(
    site: Any, template: Any, bearer_client: Callable[..., FlaskClient], make_user: Any, run: Any
) -> None:
    agent = bearer_client(site.agent)
    created = agent.post(
        "/api/leases",
        json=draft(site, template, starts_on="2027-01-06", ends_on="2027-12-05", concessions=[]),
    ).json
    preview = agent.get(f"/api/leases/{created['id']}/schedule/preview").json["items"]
    assert {item["due_date"]: item["provisional"] for item in preview if item["charge_type"] == "rent"} == {
        # quarterly, prepaid 15 days ahead, following business day (the template)
        "2026-12-22": False,
        "2027-03-22": True,
        "2027-06-21": True,
        "2027-09-21": True,
    }
    admin = bearer_client(make_user("admin"))
    entered = admin.put("/api/holiday-calendars/CN/years/2027", json=BODY)
    assert entered.status_code == 200, entered.json
    after = agent.get(f"/api/leases/{created['id']}/schedule/preview").json["items"]
    assert not any(item["provisional"] for item in after)
    year = admin.get("/api/holiday-calendars/CN/years/2027").json
    assert year["official"] is True
    assert year["source"] == "test data, not the State Council's notice"
