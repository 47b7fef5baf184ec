"""A customer's consent to third-party credit checks, and the public facts fetched under it (第三方征信).

Nothing is asked of the provider without a current consent (given, not expired, not revoked); each fact is
stored once per provider reference however often it is fetched. The facts are shown beside the credit profile
and never enter its score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from backend.collections.domain.signals import ConsentTerms, CreditSignalsProvider, check_consent
from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork

CONSENT = "credit_consent"


@dataclass
class FetchReport:
    """What one fetch found: how many facts the provider reported and the ones stored for the first time."""

    customer_id: int
    consent_id: int
    provider: str
    found: int = 0
    stored: list[Any] = field(default_factory=list)


def _terms(consent: Any) -> ConsentTerms:
    return ConsentTerms(consent.granted_on, consent.expires_on, consent.revoked_at is not None)


def _today(now: datetime) -> date:
    # Customers have no time zone of their own; consents are dated in China, where they are signed.
    return now.astimezone(ZoneInfo("Asia/Shanghai")).date()


def record_consent(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Record a customer's signed consent to fetch credit information about them; commits once."""
    customer = uow.customers.get(values["customer_id"], actor.require(P.COLLECTIONS_WRITE))
    document = check_consent(
        values["granted_on"], values.get("expires_on"), str(values.get("document") or ""), _today(now)
    )
    consent = uow.credit_consents.create(
        customer_id=customer.id,
        granted_on=values["granted_on"],
        expires_on=values.get("expires_on"),
        document=document,
        recorded_at=now,
        recorded_by_id=actor.user_id,
    )
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.CREATE,
        CONSENT,
        consent.id,
        after=consent.audit_snapshot(),
        region_id=customer.region_id,
    )
    uow.commit()
    return consent


def revoke_consent(consent_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Withdraw a consent (the customer revoked it): nothing more is fetched under it; commits once."""
    consent = uow.credit_consents.get(consent_id, actor.require(P.COLLECTIONS_WRITE))
    if consent.revoked_at is not None:
        raise Conflict(N_("This consent was revoked already."))
    before = consent.audit_snapshot()
    consent.revoked_at, consent.revoked_by_id = now, actor.user_id
    audit.record(
        uow, actor, AuditAction.REVOKE, CONSENT, consent.id, before=before, after=consent.audit_snapshot()
    )
    uow.commit()
    return consent


def consents_of(customer_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> list[Any]:
    """A customer's consents, newest first, each marked whether it is current."""
    customer = uow.customers.get(customer_id, actor.require(P.COLLECTIONS_READ))
    consents = uow.credit_consents.of_customer(customer.id)
    for consent in consents:
        consent.current = _terms(consent).is_current(_today(now))
    return consents


def fetch_signals(
    customer_id: int, actor: Actor, uow: UnitOfWork, provider: CreditSignalsProvider | None, now: datetime
) -> FetchReport:
    """Ask the provider about the customer under their current consent and keep what is new; commits once.

    Refused (writing nothing, asking nobody) without a configured provider, a current consent or the
    customer's registration number.
    """
    customer = uow.customers.get(customer_id, actor.require(P.COLLECTIONS_WRITE))
    if provider is None:
        raise Conflict(
            N_("No credit information service is set up on this installation (CREDIT_SIGNALS_URL).")
        )
    today = _today(now)
    current = [c for c in uow.credit_consents.of_customer(customer.id) if _terms(c).is_current(today)]
    if not current:
        raise Conflict(
            N_(
                "%(customer)s has no current consent to third-party credit checks: record their signed "
                "consent first (a revoked or expired one does not count)."
            ),
            customer=customer.name,
        )
    if not (customer.registration_number or "").strip():
        raise Conflict(N_("%(customer)s has no registration number to look up."), customer=customer.name)
    consent = current[0]
    found = provider.lookup(customer.registration_number.strip())
    report = FetchReport(customer.id, consent.id, provider.name, found=len(found))
    known = uow.credit_signals.references(customer.id, provider.name)
    for item in found:
        if item.reference in known:
            continue
        known.add(item.reference)
        report.stored.append(
            uow.credit_signals.add(
                customer_id=customer.id,
                consent_id=consent.id,
                provider=provider.name,
                reference=item.reference,
                kind=item.kind.value,
                title=item.title,
                observed_on=item.observed_on,
                details=item.details,
                fetched_at=now,
            )
        )
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.CREATE,
        "credit_signals",
        customer.id,
        after={
            "provider": provider.name,
            "consent_id": consent.id,
            "found": len(found),
            "stored": [signal.reference for signal in report.stored],
        },
        region_id=customer.region_id,
    )
    uow.commit()
    return report


def signals_of(customer_id: int, actor: Actor, uow: UnitOfWork) -> list[Any]:
    """A customer's stored signals, newest first, to show beside (never inside) the credit profile."""
    customer = uow.customers.get(customer_id, actor.require(P.COLLECTIONS_READ))
    return uow.credit_signals.of_customer(customer.id)
