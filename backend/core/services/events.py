"""Domain events: recorded in the transaction that caused them and handed to subscribers in it.

Subscribers run inside the same unit of work, before its commit, so an event and everything it
triggers (a hand-over work order, a status change) land together or not at all.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol

from backend.core.domain.audit import json_safe
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork


class DomainEvent(Protocol):
    """Anything with a `name` and dataclass fields."""

    name: str


Subscriber = Callable[[Any, Actor, UnitOfWork], None]
_subscribers: dict[str, list[Subscriber]] = defaultdict(list)


def subscribe(event_name: str) -> Callable[[Subscriber], Subscriber]:
    """Register a handler for an event name (used as a decorator by later features)."""

    def register(handler: Subscriber) -> Subscriber:
        if handler not in _subscribers[event_name]:
            _subscribers[event_name].append(handler)
        return handler

    return register


def publish(event: Any, actor: Actor, uow: UnitOfWork, project_id: int | None = None) -> None:
    """Record an event and run its subscribers in the caller's transaction."""
    payload = {field.name: json_safe(getattr(event, field.name)) for field in dataclasses.fields(event)}
    uow.events.append(event.name, payload, project_id)
    for handler in list(_subscribers[event.name]):
        handler(event, actor, uow)
