"""Applying a push: each command in device order, through the back office's services, one transaction a batch.

The device's `last_applied_seq` moves in the same transaction as the commands' effects (each service runs
nested in the batch's unit of work, so its commit stays inside that transaction): a command is applied
exactly once even when the response is lost. Permanent refusals are recorded and advance the sequence;
transient database failures stop the batch for a retry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from backend.core.domain.errors import N_, DomainError, Message, ValidationFailed
from backend.core.domain.times import OUT_OF_RANGE_TIME
from backend.core.services.context import Actor
from backend.field.domain.requests import DEFAULT_CONFIRM_COOLDOWN
from backend.field.services import inspections, photos, status_requests, work_orders
from backend.field.services.labels import LabelSettings
from sync.commands import ACTION_TARGET, UnknownCommand, decode_args
from sync.protocol import Command, CommandResult, Cursor, PushRequest, PushResponse, Stop, encode_cursor

RETRY_AFTER_SECONDS = 5
_TRANSIENT_STATUSES = frozenset({429, 503})


class Translator(Protocol):
    """Turns a message template with its values, and field messages, into the user's language."""

    def message(self, template: str, params: Mapping[str, Any]) -> str:
        """One message."""

    def fields(self, fields: Mapping[str, Any]) -> dict[str, list[str]]:
        """Messages by field."""


class Untranslated:
    """English, as the templates are written (for the CLI and tests)."""

    def message(self, template: str, params: Mapping[str, Any]) -> str:
        """The template filled in."""
        return template % dict(params) if params else template

    def fields(self, fields: Mapping[str, Any]) -> dict[str, list[str]]:
        """The field messages as they are."""
        return {name: [str(message) for message in messages] for name, messages in fields.items()}


@dataclass(frozen=True)
class PushContext:
    """What applying a push needs besides the commands: who, when, how to translate, label keys."""

    device_id: int
    actor: Actor
    uow_factory: Callable[[], AbstractContextManager[Any]]
    now: datetime
    labels: LabelSettings
    translator: Translator
    is_transient: Callable[[BaseException], bool]
    is_refused_value: Callable[[BaseException], bool] = lambda _exc: False
    confirm_cooldown: timedelta = DEFAULT_CONFIRM_COOLDOWN


Handler = Callable[[dict[str, Any], Command, Any, PushContext], Mapping[str, Any]]


def _request(values: dict[str, Any], command: Command, uow: Any, ctx: PushContext) -> Mapping[str, Any]:
    values = values | {"captured_at": command.captured_at}
    request = status_requests.submit_request(values, ctx.actor, uow, ctx.now, refuse_stale=True)
    return {"id": request.id, "state": request.state.value, "conflict": request.conflict}


def _confirm(values: dict[str, Any], command: Command, uow: Any, ctx: PushContext) -> Mapping[str, Any]:
    evidence = status_requests.Confirmation(
        scan=values["scan"],
        scan_source=values["scan_source"],
        gps=values["gps"],
        remote=values["remote"],
        remote_reason=values["remote_reason"],
        note=values["note"],
    )
    request = status_requests.confirm_request(
        values["request_id"], evidence, ctx.labels, ctx.actor, uow, ctx.now, cooldown=ctx.confirm_cooldown
    )
    return {"id": request.id, "state": request.state.value}


def _reject(values: dict[str, Any], command: Command, uow: Any, ctx: PushContext) -> Mapping[str, Any]:
    request = status_requests.reject_request(values["request_id"], values["reason"], ctx.actor, uow, ctx.now)
    return {"id": request.id, "state": request.state.value}


def _cancel(values: dict[str, Any], command: Command, uow: Any, ctx: PushContext) -> Mapping[str, Any]:
    request = status_requests.cancel_request(values["request_id"], ctx.actor, uow, ctx.now)
    return {"id": request.id, "state": request.state.value}


def _inspection(values: dict[str, Any], command: Command, uow: Any, ctx: PushContext) -> Mapping[str, Any]:
    inspection = inspections.submit_inspection(
        values | {"captured_at": command.captured_at}, ctx.actor, uow, ctx.now
    )
    return {"id": inspection.id, "result": inspection.result.value}


def _work_order(values: dict[str, Any], command: Command, uow: Any, ctx: PushContext) -> Mapping[str, Any]:
    target = ACTION_TARGET[values["action"]]
    changes = {name: values.get(name) for name in ("note", "meter_value", "meter_unit")}
    order = work_orders.move_work_order(values["work_order_id"], target, changes, ctx.actor, uow, ctx.now)
    return {"id": order.id, "state": order.state.value}


def _photo(values: dict[str, Any], command: Command, uow: Any, ctx: PushContext) -> Mapping[str, Any]:
    target = photos.attach_photo(values, ctx.actor, uow)
    return {
        "target_type": values["target_type"].value,
        "target_id": target.id,
        "photo_hash": values["photo_hash"],
    }


def _meter(values: dict[str, Any], command: Command, uow: Any, ctx: PushContext) -> Mapping[str, Any]:
    order = work_orders.record_meter_reading(values, ctx.actor, uow, ctx.now)
    return {"id": order.id, "state": order.state.value}


HANDLERS: Mapping[str, Handler] = {
    "status_change.request": _request,
    "status_change.confirm": _confirm,
    "status_change.reject": _reject,
    "status_change.cancel": _cancel,
    "inspection.submit": _inspection,
    "work_order.update": _work_order,
    "photo.attach": _photo,
    "meter_reading.record": _meter,
}


def _plain(value: Any) -> Any:
    """A message value as JSON keeps it (numbers and dates as their text)."""
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def refusal_templates(template: str, params: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """What a refusal's messages are made of, stored so that it is shown later in the reader's language."""
    return {
        "message_template": template,
        "message_params": {name: _plain(value) for name, value in params.items()},
        "field_templates": {
            name: [
                [
                    getattr(message, "template", str(message)),
                    {k: _plain(v) for k, v in getattr(message, "params", {}).items()},
                ]
                for message in messages
            ]
            for name, messages in fields.items()
        },
    }


def render_refusal(row: Any, translator: Translator) -> tuple[str, dict[str, list[str]]]:
    """A stored refusal's message and field messages in the translator's language (as stored, if older)."""
    if not row.message_template:
        return row.message, dict(row.fields or {})
    message = translator.message(row.message_template, row.message_params or {})
    fields = {
        name: [Message(template, **params) for template, params in messages]
        for name, messages in (row.field_templates or {}).items()
    }
    return message, translator.fields(fields)


class _TransientRefusal(Exception):
    """A service refusal that asks to come back later (rate limited, unavailable)."""


def rejection_code(error: DomainError) -> str:
    """The short code a phone gets for a refused command."""
    if error.status == 409:
        return "stale_version" if "base_version" in error.fields else "conflict"
    return {401: "unauthenticated", 403: "forbidden", 404: "not_found"}.get(error.status, "invalid")


def _rejected(
    command: Command,
    code: str,
    message: str,
    fields: Mapping[str, list[str]],
    uow: Any,
    ctx: PushContext,
    templates: Mapping[str, Any] | None = None,
) -> CommandResult:
    """Record a refused command (it still advances the device's sequence) and answer it.

    `templates`: what the messages are made of (see `refusal_templates`), kept to show them later in the
    reader's language.
    """
    uow.sync.record_rejection(
        **dict(templates or {}),
        device_id=ctx.device_id,
        user_id=ctx.actor.user_id,
        device_seq=command.device_seq,
        op_id=command.op_id,
        name=command.name,
        version=command.version,
        code=code,
        message=message,
        fields=dict(fields),
        args=dict(command.args),
        captured_at=command.captured_at or ctx.now,  # a clock out of range: when it arrived
        rejected_at=ctx.now,
    )
    uow.flush()  # now, outside any savepoint: a later command's rollback must not take it along
    return CommandResult(
        command.op_id, command.device_seq, "rejected", code=code, message=message, fields=fields
    )


def _apply_one(command: Command, uow: Any, ctx: PushContext) -> CommandResult:
    """Run one command on its own savepoint; refusals are recorded instead of the effect."""
    if command.captured_at is None:
        message = ctx.translator.message(OUT_OF_RANGE_TIME, {})
        templates = refusal_templates(OUT_OF_RANGE_TIME, {}, {"captured_at": [OUT_OF_RANGE_TIME]})
        return _rejected(command, "invalid", message, {"captured_at": [message]}, uow, ctx, templates)
    try:
        with uow.nested(savepoint=True) as nested:
            values = decode_args(command.name, command.version, command.args)
            outcome = HANDLERS[command.name](values, command, nested, ctx)
        return CommandResult(command.op_id, command.device_seq, "applied", result=dict(outcome))
    except UnknownCommand:
        template = N_(
            "This app version sent a command the server does not know (%(name)s, version %(version)s)."
        )
        params = {"name": command.name, "version": command.version}
        message = ctx.translator.message(template, params)
        templates = refusal_templates(template, params, {})
        return _rejected(command, "unknown_command", message, {}, uow, ctx, templates)
    except DomainError as error:
        if error.status in _TRANSIENT_STATUSES:
            raise _TransientRefusal(ctx.translator.message(error.message, error.params)) from error
        message = ctx.translator.message(error.message, error.params)
        fields = ctx.translator.fields(error.fields)
        templates = refusal_templates(error.message, error.params, error.fields)
        return _rejected(command, rejection_code(error), message, fields, uow, ctx, templates)
    except Exception as exc:
        if not ctx.is_refused_value(exc):
            raise
        # A value the database refuses would be refused on every retry: reject it, keep the queue moving.
        template = N_("A value is out of the range the database accepts.")
        message = ctx.translator.message(template, {})
        return _rejected(command, "invalid", message, {}, uow, ctx, refusal_templates(template, {}, {}))


def _apply_inline(command: Command, uow: Any, ctx: PushContext) -> CommandResult:
    """Run one command straight in the batch's transaction; any refusal or failure is raised."""
    if command.captured_at is None:
        raise ValidationFailed.single("captured_at", OUT_OF_RANGE_TIME)
    with uow.nested(savepoint=False) as nested:
        values = decode_args(command.name, command.version, command.args)
        outcome = HANDLERS[command.name](values, command, nested, ctx)
    return CommandResult(command.op_id, command.device_seq, "applied", result=dict(outcome))


def _transient_stop(ctx: PushContext, message: str | None = None) -> Stop:
    default = ctx.translator.message(N_("The database is unavailable; try again shortly."), {})
    return Stop("transient", message or default, retry_after=RETRY_AFTER_SECONDS)


def _gap(last_applied: int, ctx: PushContext) -> Stop:
    template = N_("Commands are missing before this one: waiting for number %(seq)s.")
    message = ctx.translator.message(template, {"seq": last_applied + 1})
    return Stop("gap", message, waiting_for_seq=last_applied + 1)


def _apply_in_order(
    request: PushRequest, state: Any, uow: Any, ctx: PushContext, isolated: bool
) -> tuple[list[CommandResult], Stop | None]:
    """Each command in device order; stop at a gap or a transient failure. Moves the device's sequence.

    Isolated, each command runs on its own savepoint and its refusal is recorded; otherwise each runs
    straight in the transaction and whatever it raises ends the batch (see `apply_push`).
    """
    results: list[CommandResult] = []
    stopped: Stop | None = None
    last_applied, last_op_id = state.last_applied_seq, state.last_op_id
    for command in request.commands:
        if command.device_seq <= last_applied:
            results.append(CommandResult(command.op_id, command.device_seq, "duplicate"))
            continue
        if command.device_seq > last_applied + 1:
            stopped = _gap(last_applied, ctx)
            break
        if not isolated:
            results.append(_apply_inline(command, uow, ctx))
            last_applied, last_op_id = command.device_seq, command.op_id
            continue
        try:
            results.append(_apply_one(command, uow, ctx))
        except _TransientRefusal as refusal:
            stopped = _transient_stop(ctx, str(refusal))
            break
        except Exception as exc:
            if not ctx.is_transient(exc):
                raise
            stopped = _transient_stop(ctx)
            break
        last_applied, last_op_id = command.device_seq, command.op_id
    # Set once, after the last savepoint: no command's rollback can take the sequence back.
    if last_applied != state.last_applied_seq:
        state.last_applied_seq, state.last_op_id, state.updated_at = last_applied, last_op_id, ctx.now
    return results, stopped


def _assets_named(request: PushRequest, last_applied: int) -> set[int]:
    """The assets the batch's new commands name: loaded at once, instead of one query per command."""
    named = (
        command.args.get("asset_id") for command in request.commands if command.device_seq > last_applied
    )
    return {asset_id for asset_id in named if isinstance(asset_id, int) and not isinstance(asset_id, bool)}


class _NotInline(Exception):
    """A command of the batch did not apply straight: the batch is applied again, command by command."""


def apply_push(request: PushRequest, ctx: PushContext) -> PushResponse:
    """Apply a batch in device order, in one transaction; the response has a result per command looked at.

    Every command runs as if on its own savepoint, so a refusal drops only that command's effect. The
    device's `last_applied_seq` moves with the effects and everything commits once, at the end: a command
    counts as applied only when the transaction that holds it and the sequence committed. A transient
    failure in a command keeps the commands before it (they commit, the batch stops there); a failure of
    the commit itself applies nothing, and the phone pushes the same commands again.

    Most batches apply whole, so the commands first run straight in the transaction, without savepoints.
    Should any of them be refused or fail, that transaction is rolled back untouched and the batch runs
    again with a savepoint per command: the answers are the same either way.
    """
    if len(request.commands) > 1:
        try:
            return _apply(request, ctx, isolated=False)
        except _NotInline:
            pass
    return _apply(request, ctx, isolated=True)


def _apply(request: PushRequest, ctx: PushContext, isolated: bool) -> PushResponse:
    with ctx.uow_factory() as uow:
        telemetry = request.telemetry
        app_version = telemetry.app_version if telemetry else None
        pending = telemetry.pending if telemetry else None
        uow.sync.record_telemetry(ctx.device_id, ctx.now, app_version, pending)
        uow.sync.ensure_state(ctx.device_id)
        uow.flush()
        state = uow.sync.locked_state(ctx.device_id)
        last_applied_before, pull_seq = state.last_applied_seq, state.pull_seq
        uow.assets.preload(_assets_named(request, last_applied_before))
        seq_before = uow.sync.last_seq()
        try:
            results, stopped = _apply_in_order(request, state, uow, ctx, isolated)
        except Exception as exc:
            if isolated:
                raise
            raise _NotInline() from exc  # leaving the block rolls everything back
        last_applied = state.last_applied_seq
        try:
            uow.commit()
        except Exception as exc:
            if not ctx.is_transient(exc):
                raise
            # Nothing of this batch was applied: the phone keeps every command and pushes them again.
            results, stopped, last_applied = [], _transient_stop(ctx), last_applied_before
    # Pulling from here returns this push's effects, and anything newer than the device's last pull.
    resume = seq_before if pull_seq is None else min(pull_seq, seq_before)
    cursor = encode_cursor(Cursor("changes", resume)) if pull_seq is not None else ""
    return PushResponse(tuple(results), last_applied, stopped, cursor)
