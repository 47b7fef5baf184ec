"""External credit signals (第三方征信): public facts about a company customer a provider knows — business
anomalies, lawsuits, administrative penalties — fetched only under the customer's current written consent.

They are shown beside the credit profile; the profile's score is computed from the customer's own history only
and never reads them.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from backend.core.domain.errors import N_, DomainError, ValidationFailed

MAX_DOCUMENT = 300


class SignalKind(enum.StrEnum):
    """What a public fact is about."""

    BUSINESS_ANOMALY = "business_anomaly"  # 经营异常
    LAWSUIT = "lawsuit"  # 司法诉讼
    ADMINISTRATIVE_PENALTY = "administrative_penalty"  # 行政处罚
    ENFORCEMENT = "enforcement"  # 被执行人
    DISHONEST_DEBTOR = "dishonest_debtor"  # 失信被执行人
    OTHER = "other"

    @classmethod
    def of(cls, raw: str) -> SignalKind:
        """The kind a provider's label names; anything unknown is `other`."""
        try:
            return cls(raw.strip().lower())
        except ValueError:
            return cls.OTHER


@dataclass(frozen=True)
class FoundSignal:
    """One fact as a provider reports it; `reference` is the provider's own id for it."""

    reference: str
    kind: SignalKind
    title: str
    observed_on: date | None = None
    details: dict[str, Any] = field(default_factory=dict)


class ProviderUnavailable(DomainError):
    """The credit information service could not be asked, or answered nothing usable."""

    status = 502

    def __init__(self, problem: str) -> None:
        super().__init__(
            N_("The credit information service gave no usable answer (%(problem)s). Try again later."),
            problem=problem,
        )


class CreditSignalsProvider(Protocol):
    """A third-party credit information service."""

    name: str

    def lookup(self, registration_number: str) -> Sequence[FoundSignal]:
        """The public facts about the company with this registration number; ProviderUnavailable if none."""


@dataclass(frozen=True)
class ConsentTerms:
    """A recorded consent's days, and whether it was revoked."""

    granted_on: date
    expires_on: date | None
    revoked: bool = False

    def is_current(self, today: date) -> bool:
        """Whether the consent covers a fetch today."""
        if self.revoked or self.granted_on > today:
            return False
        return self.expires_on is None or today <= self.expires_on


def check_consent(granted_on: date, expires_on: date | None, document: str, today: date) -> str:
    """The document reference, cleaned; refused when it is missing or the days do not hold."""
    problems: dict[str, list[str]] = {}
    text = document.strip()
    if not text or len(text) > MAX_DOCUMENT:
        problems["document"] = [N_("Say where the signed consent is kept (at most 300 characters).")]
    if granted_on > today:
        problems["granted_on"] = [N_("A consent cannot be given in the future.")]
    if expires_on is not None and expires_on < granted_on:
        problems["expires_on"] = [N_("The consent cannot expire before it was given.")]
    if problems:
        raise ValidationFailed(problems)
    return text
