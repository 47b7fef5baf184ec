"""External credit signals against a local HTTP server standing in for the credit information service
(第三方征信): nothing is asked without the customer's current consent, each fact is stored once, a revoked or
expired consent refuses, the service is reached only through the outbound allow-list, and the credit score
never reads them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select

from backend.adapters.credit_signals import HttpCreditSignals, provider_from_config
from backend.collections.db.models import CreditSignal
from backend.collections.domain.signals import ProviderUnavailable
from backend.collections.services import credit, signals
from backend.core.domain.audit import Origin
from backend.core.domain.errors import Conflict, Forbidden, ValidationFailed
from backend.core.services import auth
from backend.core.services.context import Actor

TOKEN = "cs_live_7d1e2f3a4b5c"
PATH = "/v1/enterprise/risk"
REGISTRATION = "91310115MA1K4ABC2X"
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
ANSWER = {
    "signals": [
        {
            "reference": "ABN-2025-0117",
            "kind": "business_anomaly",
            "title": "未按规定公示年度报告，列入经营异常名录",
            "date": "2025-07-01",
            "details": {"authority": "上海市浦东新区市场监督管理局"},
        },
        {
            "reference": "CASE-(2025)沪0115民初12345号",
            "kind": "lawsuit",
            "title": "买卖合同纠纷（被告）",
            "date": "2025-11-20",
            "details": {"court": "上海市浦东新区人民法院", "amount": "356000.00"},
        },
    ]
}


def provider(httpserver: HTTPServer, allowed: str = "localhost,127.0.0.1") -> HttpCreditSignals:
    config = {
        "CREDIT_SIGNALS_URL": httpserver.url_for(PATH),
        "CREDIT_SIGNALS_TOKEN": TOKEN,
        "OUTBOUND_ALLOWED_HOSTS": allowed,
        "CHANNEL_TIMEOUT_SECONDS": 2,
        "CREDIT_SIGNALS_PROVIDER": "qcc",
    }
    found = provider_from_config(config)
    assert found is not None
    return found


@pytest.fixture
def world(run: Callable[..., Any], make_region: Any, make_customer: Any, make_user: Any) -> dict[str, Any]:
    east = make_region("EAST")
    customer = make_customer(east, "C-RISK", name="上海风险贸易有限公司", registration_number=REGISTRATION)
    finance = make_user("finance", username="finance.east", region_id=east.id)
    agent = make_user("leasing_agent", username="agent.east", region_id=east.id)

    def actor(user: Any) -> Actor:
        return Actor(run(lambda uow: auth.principal_of(uow.users.find(user.id))), Origin.WEB)

    return {"customer": customer, "finance": actor(finance), "agent": actor(agent)}


def read(run: Callable[..., Any], service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A query's rows, readable after its unit of work ends."""

    def call(uow: Any) -> Any:
        rows = service(*args, uow=uow, **kwargs)
        uow.session.expunge_all()
        return rows

    return run(call)


def stored(run: Callable[..., Any]) -> int:
    return int(run(lambda uow: uow.session.scalar(select(func.count()).select_from(CreditSignal))))


def consent(run: Callable[..., Any], world: dict[str, Any], **values: Any) -> Any:
    body = {"customer_id": world["customer"].id, "granted_on": date(2026, 3, 1), "document": "DMS-2026-0042"}
    return run(signals.record_consent, body | values, world["finance"], now=NOW)


def test_without_a_consent_the_service_is_not_asked_and_nothing_is_written(
    run: Callable[..., Any], world: dict[str, Any], httpserver: HTTPServer
) -> None:
    with pytest.raises(Conflict) as refused:
        run(
            signals.fetch_signals,
            world["customer"].id,
            world["finance"],
            provider=provider(httpserver),
            now=NOW,
        )
    assert refused.value.params == {"customer": "上海风险贸易有限公司"}
    assert httpserver.log == []
    assert stored(run) == 0


def test_under_a_consent_the_signals_are_fetched_and_stored_once(
    run: Callable[..., Any], world: dict[str, Any], httpserver: HTTPServer
) -> None:
    httpserver.expect_request(
        PATH,
        method="GET",
        query_string={"registration_number": REGISTRATION},
        headers={"Authorization": f"Bearer {TOKEN}"},
    ).respond_with_json(ANSWER)
    given = consent(run, world, expires_on=date(2027, 2, 28))
    service = provider(httpserver)

    first = run(signals.fetch_signals, world["customer"].id, world["finance"], provider=service, now=NOW)
    again = run(signals.fetch_signals, world["customer"].id, world["finance"], provider=service, now=NOW)

    # Two facts reported each time; stored the first time only (idempotent by provider and reference).
    assert (first.found, len(first.stored), first.consent_id) == (2, 2, given.id)
    assert (again.found, len(again.stored)) == (2, 0)
    assert len(httpserver.log) == 2
    shown = read(run, signals.signals_of, world["customer"].id, world["agent"])
    assert [(s.kind, s.reference, s.observed_on, s.provider, s.consent_id) for s in shown] == [
        ("lawsuit", "CASE-(2025)沪0115民初12345号", date(2025, 11, 20), "qcc", given.id),
        ("business_anomaly", "ABN-2025-0117", date(2025, 7, 1), "qcc", given.id),
    ]
    assert shown[0].details == {"court": "上海市浦东新区人民法院", "amount": "356000.00"}


def test_a_revoked_or_expired_consent_refuses(
    run: Callable[..., Any], world: dict[str, Any], httpserver: HTTPServer
) -> None:
    given = consent(run, world)
    run(signals.revoke_consent, given.id, world["finance"], now=NOW)
    with pytest.raises(Conflict):
        run(signals.revoke_consent, given.id, world["finance"], now=NOW)
    # Given on 1 January 2026, expired on 28 February: 2 March is past it.
    consent(run, world, granted_on=date(2026, 1, 1), expires_on=date(2026, 2, 28))

    with pytest.raises(Conflict):
        run(
            signals.fetch_signals,
            world["customer"].id,
            world["finance"],
            provider=provider(httpserver),
            now=NOW,
        )

    assert httpserver.log == []
    assert [
        c.current for c in read(run, signals.consents_of, world["customer"].id, world["agent"], now=NOW)
    ] == [
        False,
        False,
    ]


def test_consents_are_checked_and_only_collectors_record_them_or_fetch(
    run: Callable[..., Any], world: dict[str, Any], httpserver: HTTPServer
) -> None:
    with pytest.raises(ValidationFailed) as invalid:
        consent(run, world, granted_on=date(2026, 3, 1), expires_on=date(2026, 2, 1), document=" ")
    assert set(invalid.value.fields) == {"expires_on", "document"}
    with pytest.raises(Forbidden):
        consent(run, world | {"finance": world["agent"]})
    consent(run, world)
    with pytest.raises(Forbidden):
        run(
            signals.fetch_signals,
            world["customer"].id,
            world["agent"],
            provider=provider(httpserver),
            now=NOW,
        )
    with pytest.raises(Conflict):
        run(signals.fetch_signals, world["customer"].id, world["finance"], provider=None, now=NOW)


def test_a_host_outside_the_allow_list_or_a_bad_answer_stores_nothing(
    run: Callable[..., Any], world: dict[str, Any], httpserver: HTTPServer
) -> None:
    consent(run, world)
    with pytest.raises(ProviderUnavailable):
        run(
            signals.fetch_signals,
            world["customer"].id,
            world["finance"],
            provider=provider(httpserver, allowed="credit.example.com"),
            now=NOW,
        )
    assert httpserver.log == []
    httpserver.expect_request(PATH).respond_with_data(
        json.dumps({"data": []}), content_type="application/json"
    )
    with pytest.raises(ProviderUnavailable):
        run(
            signals.fetch_signals,
            world["customer"].id,
            world["finance"],
            provider=provider(httpserver),
            now=NOW,
        )
    assert stored(run) == 0


def test_the_credit_score_does_not_read_the_signals(
    run: Callable[..., Any], world: dict[str, Any], httpserver: HTTPServer
) -> None:
    httpserver.expect_request(PATH).respond_with_json(ANSWER)
    before = run(credit.credit_profile, world["customer"].id, world["finance"], now=NOW)
    consent(run, world)
    run(signals.fetch_signals, world["customer"].id, world["finance"], provider=provider(httpserver), now=NOW)

    after = run(credit.credit_profile, world["customer"].id, world["finance"], now=NOW)

    assert stored(run) == 2
    assert (after.score, after.reasons) == (before.score, before.reasons)
