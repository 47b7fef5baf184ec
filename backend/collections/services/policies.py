"""Dunning policies per project and customer tier: the thresholds, the channels, the templates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backend.collections.domain.plan import Step
from backend.collections.domain.templates import LANGUAGES, MessageTemplate, check_template, default_for
from backend.collections.domain.tiers import DunningTier, Thresholds
from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Message, ValidationFailed
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.org.domain.org import CustomerTier

# Customers hear by e-mail and SMS; a key account's manager hears in the app (and on their own channels).
CUSTOMER_CHANNELS = ("email", "sms")
DEFAULT_CHANNELS = ("email", "sms")
TEMPLATE_TIERS = (DunningTier.FRIENDLY, DunningTier.FORMAL, DunningTier.LEGAL)
THRESHOLD_FIELDS = ("formal_from", "legal_from", "lock_from", "repeat_days", "tolerance_days")


@dataclass(frozen=True)
class Policy:
    """A policy as the run applies it: stored values, else the defaults."""

    customer_tier: CustomerTier
    thresholds: Thresholds = field(default_factory=Thresholds)
    channels: tuple[str, ...] = DEFAULT_CHANNELS
    pay_within_hours: int = 48
    enabled: bool = True
    templates: Mapping[str, Any] = field(default_factory=dict)
    stored: bool = False

    def template(self, tier: DunningTier, step: Step, language: str) -> MessageTemplate:
        """The project's own template for a tier, step and language, else the built-in one."""
        for key in (template_key(tier, step, language), template_key(tier, Step.FIRST, language)):
            own = self.templates.get(key)
            if own:
                return MessageTemplate(str(own["subject"]), str(own["body"]))
        return default_for(tier, step, language)


def template_key(tier: DunningTier, step: Step, language: str) -> str:
    """How a template is filed in a policy: `friendly.first.zh_CN`."""
    return f"{tier.code}.{step.value}.{language}"


def of_row(row: Any, customer_tier: CustomerTier) -> Policy:
    """A stored policy (or none) as the run applies it."""
    if row is None:
        return Policy(customer_tier)
    return Policy(
        customer_tier=customer_tier,
        thresholds=Thresholds(**{name: getattr(row, name) for name in THRESHOLD_FIELDS}),
        channels=tuple(row.channels or ()),
        pay_within_hours=row.pay_within_hours,
        enabled=row.enabled,
        templates=dict(row.templates or {}),
        stored=True,
    )


def for_project(project_id: int, uow: UnitOfWork) -> dict[CustomerTier, Policy]:
    """Every customer tier's policy in a project."""
    rows = {row.customer_tier: row for row in uow.dunning.policies(project_id)}
    return {tier: of_row(rows.get(tier), tier) for tier in CustomerTier}


def get_policies(project_id: int, actor: Actor, uow: UnitOfWork) -> dict[CustomerTier, Policy]:
    """A project's policies, for someone who may read collections there."""
    uow.projects.get(project_id, actor.require(P.COLLECTIONS_READ))
    return for_project(project_id, uow)


def save_policy(
    project_id: int,
    customer_tier: CustomerTier,
    values: Mapping[str, Any],
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
) -> Policy:
    """Change a project's policy for one customer tier (thresholds, channels, templates); commits once."""
    project = uow.projects.get(project_id, actor.require(P.COLLECTIONS_WRITE))
    row = uow.dunning.policy(project.id, customer_tier)
    before = of_row(row, customer_tier)
    thresholds = Thresholds(
        **{name: values.get(name, getattr(before.thresholds, name)) for name in THRESHOLD_FIELDS}
    )
    channels = tuple(values.get("channels", before.channels))
    unknown = sorted(set(channels) - set(CUSTOMER_CHANNELS))
    if unknown:
        raise ValidationFailed.single(
            "channels",
            Message(
                N_("Unknown channel %(unknown)s; use %(allowed)s."),
                unknown=", ".join(unknown),
                allowed=", ".join(CUSTOMER_CHANNELS),
            ),
        )
    hours = int(values.get("pay_within_hours", before.pay_within_hours))
    if not 1 <= hours <= 720:
        raise ValidationFailed.single("pay_within_hours", N_("Must be between 1 and 720 hours."))
    templates = dict(before.templates)
    for key, given in (values.get("templates") or {}).items():
        templates[_checked_key(key)] = None if given is None else _checked_template(key, given)
    templates = {key: text for key, text in templates.items() if text is not None}
    stored = {
        **{name: getattr(thresholds, name) for name in THRESHOLD_FIELDS},
        "channels": list(dict.fromkeys(channels)),
        "pay_within_hours": hours,
        "enabled": bool(values.get("enabled", before.enabled)),
        "templates": templates,
        "updated_by_id": actor.user_id,
    }
    if row is None:
        row = uow.dunning.add_policy(project_id=project.id, customer_tier=customer_tier, **stored)
    else:
        for name, value in stored.items():
            setattr(row, name, value)
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE if before.stored else AuditAction.CREATE,
        "dunning_policy",
        row.id,
        before=_snapshot(before),
        after=stored,
        project_id=project.id,
        region_id=project.region_id,
    )
    uow.commit()
    return of_row(row, customer_tier)


def _checked_key(key: str) -> str:
    tier, _, rest = key.partition(".")
    step, _, language = rest.partition(".")
    valid_tiers = {tier.code for tier in TEMPLATE_TIERS}
    if tier not in valid_tiers or step not in {s.value for s in Step} or language not in LANGUAGES:
        raise ValidationFailed.single(
            f"templates.{key}",
            Message(
                N_(
                    "Name a template as <tier>.<step>.<language>: tier %(tiers)s, step %(steps)s, "
                    "language %(languages)s."
                ),
                tiers="/".join(sorted(valid_tiers)),
                steps="/".join(s.value for s in Step),
                languages="/".join(LANGUAGES),
            ),
        )
    return key


def _checked_template(key: str, given: Mapping[str, Any]) -> dict[str, str]:
    return {
        "subject": check_template(f"templates.{key}.subject", str(given.get("subject") or "")),
        "body": check_template(f"templates.{key}.body", str(given.get("body") or "")),
    }


def _snapshot(policy: Policy) -> dict[str, Any]:
    return {
        **{name: getattr(policy.thresholds, name) for name in THRESHOLD_FIELDS},
        "channels": list(policy.channels),
        "pay_within_hours": policy.pay_within_hours,
        "enabled": policy.enabled,
        "templates": dict(policy.templates),
    }
