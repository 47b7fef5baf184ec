"""What the audit log records about a business change."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any


class Origin(enum.StrEnum):
    """Where a change came from."""

    WEB = "web"
    DEVICE = "device"
    JOB = "job"
    CLI = "cli"
    SYSTEM = "system"


class AuditAction(enum.StrEnum):
    """The kind of change recorded."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    LOGIN = "login"
    LOGOUT = "logout"
    LOGIN_FAILED = "login_failed"
    DEACTIVATE = "deactivate"
    REACTIVATE = "reactivate"
    REVOKE = "revoke"
    PRINT_LABELS = "print_labels"


def changed_fields(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The before/after pair reduced to the fields that differ."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    keys += [k for k in before if k not in after]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def json_safe(value: Any) -> Any:
    """A value as JSON stores it: enums by value, decimals, dates and times as text, containers walked."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    return value
