"""Our bank accounts and the statement profiles (layouts) the importer reads, built-in or entered as data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from backend.banking.domain import statements
from backend.banking.domain.profiles import BankProfile
from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, NotFound, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.crud import apply_changes, ensure_unique, for_change
from backend.core.services.unit_of_work import UnitOfWork

ACCOUNT_FIELDS = ("bank_name", "account_number", "account_name", "currency", "profile_code", "is_active")


def list_accounts(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """A page of our bank accounts the actor may see."""
    return uow.bank_accounts.page(actor.require(P.BANK_READ), query)


def get_account(account_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One bank account, with the closing balance of its latest statement."""
    account = uow.bank_accounts.get(account_id, actor.require(P.BANK_READ))
    latest = uow.bank_statements.latest_of(account.id)
    account.last_closing_balance = latest.closing_balance if latest is not None else None
    account.last_statement_end = latest.period_end if latest is not None else None
    return account


def create_account(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Register an account of a region (or of one of its projects) that tenants pay into."""
    scope = actor.require(P.BANK_WRITE)
    region_id, project_id = values.get("region_id"), values.get("project_id")
    if project_id is not None:
        project = uow.projects.get(project_id, scope)
        if region_id is not None and region_id != project.region_id:
            raise ValidationFailed.single("region_id", N_("The project lies in another region."))
        region_id = project.region_id
    elif region_id is None:
        raise ValidationFailed.single("region_id", N_("Name the region or the project the account serves."))
    elif not scope.covers_region(region_id):
        uow.regions.get(region_id, scope)
        raise ValidationFailed.single("project_id", N_("You may register accounts for your projects only."))
    _check_profile(values.get("profile_code"), uow)
    ensure_unique(uow.bank_accounts, values, ("account_number",))
    account = uow.bank_accounts.create(
        region_id=region_id,
        project_id=project_id,
        **{name: values[name] for name in ACCOUNT_FIELDS if name in values},
    )
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.CREATE,
        "bank_account",
        account.id,
        after=account.audit_snapshot(),
        region_id=region_id,
        project_id=project_id,
    )
    uow.commit()
    return get_account(account.id, actor, uow)


def update_account(account_id: int, changes: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Change an account's names, default profile or whether it is still in use."""
    account = for_change(uow.bank_accounts, account_id, actor, P.BANK_READ, P.BANK_WRITE)
    unknown = set(changes) - set(ACCOUNT_FIELDS)
    if unknown:
        raise ValidationFailed({name: [N_("Cannot be changed.")] for name in sorted(unknown)})
    if "account_number" in changes and uow.bank_statements.latest_of(account.id) is not None:
        raise Conflict(N_("Statements were imported for this account; its number can no longer change."))
    _check_profile(changes.get("profile_code"), uow)
    ensure_unique(uow.bank_accounts, changes, ("account_number",), exclude_id=account.id)
    before = account.audit_snapshot()
    apply_changes(account, changes)
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "bank_account",
        account.id,
        before=before,
        after=account.audit_snapshot(),
        region_id=account.region_id,
        project_id=account.project_id,
    )
    uow.commit()
    return get_account(account.id, actor, uow)


# Profiles -------------------------------------------------------------------------------------------------


def profiles(uow: UnitOfWork) -> dict[str, BankProfile]:
    """Every profile by code: the built-in ones, each replaced by a stored one of the same code."""
    found = {profile.code: profile for profile in statements.BUILTIN_PROFILES}
    for record in uow.bank_profiles.all():
        found[record.code] = BankProfile.from_dict(record.definition)
    return found


def list_profiles(actor: Actor, uow: UnitOfWork) -> list[dict[str, Any]]:
    """The profiles the importer knows, marked built-in or changed."""
    actor.require(P.BANK_READ)
    builtin = {profile.code for profile in statements.BUILTIN_PROFILES}
    stored = {record.code for record in uow.bank_profiles.all()}
    return [
        {**profile.to_dict(), "builtin": code in builtin, "customised": code in stored}
        for code, profile in sorted(profiles(uow).items())
    ]


def put_profile(code: str, definition: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    """Enter a profile, or change one (a built-in one is replaced, and restored by deleting the change)."""
    actor.require(P.BANK_WRITE)
    profile = BankProfile.from_dict({**definition, "code": code})
    record = uow.bank_profiles.by_code(code)
    before = record.definition if record is not None else None
    if record is None:
        record = uow.bank_profiles.create(code=code, definition=profile.to_dict())
    else:
        record.definition = profile.to_dict()
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE if before else AuditAction.CREATE,
        "bank_profile",
        code,
        before=before,
        after=profile.to_dict(),
    )
    uow.commit()
    return next(found for found in list_profiles(actor, uow) if found["code"] == code)


def delete_profile(code: str, actor: Actor, uow: UnitOfWork) -> None:
    """Drop a stored profile (a built-in one of the same code comes back)."""
    actor.require(P.BANK_WRITE)
    record = uow.bank_profiles.by_code(code)
    if record is None:
        raise NotFound("Bank profile")
    if uow.bank_accounts.using_profile(code) and code not in {p.code for p in statements.BUILTIN_PROFILES}:
        raise Conflict(N_("Bank accounts still use this profile."))
    audit.record(uow, actor, AuditAction.DELETE, "bank_profile", code, before=record.definition)
    uow.bank_profiles.delete(record)
    uow.commit()


def _check_profile(code: str | None, uow: UnitOfWork) -> None:
    if code is not None and code not in profiles(uow):
        raise ValidationFailed.single(
            "profile_code",
            N_("Unknown statement profile; see /api/bank-profiles for the accepted codes."),
        )
