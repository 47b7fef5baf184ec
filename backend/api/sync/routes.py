"""Sync: phones push queued commands and pull the changes of their scope (wire format in docs/sync.md)."""

from __future__ import annotations

import gzip
from datetime import timedelta
from functools import partial
from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import errors
from backend.api.context import actor, database, label_settings, now, uow
from backend.api.messages import CatalogueTranslator
from backend.core.db.uow import is_refused_value, is_transient
from backend.core.domain.errors import (
    N_,
    AuthenticationRequired,
    DomainError,
    Gone,
    PayloadTooLarge,
    ValidationFailed,
)
from backend.core.services.context import Actor
from sync import engine, feed
from sync.protocol import (
    DEFAULT_PULL_LIMIT,
    MAX_BODY_BYTES,
    MAX_PULL_LIMIT,
    ProtocolError,
    decode_push,
    encode_pull_page,
    encode_push_response,
)

from .schemas import PullArgsSchema, PullPageSchema, PushResponseSchema, PushSchema

blp = Blueprint("sync", __name__, url_prefix="/api/sync", description="Offline sync for phones.")
_GZIP_MIN_BYTES = 1024


def _device_actor() -> Actor:
    current = actor()
    if current.device_id is None:
        raise AuthenticationRequired(N_("Sync needs a device: sign in with the device's bearer token."))
    return current


def _refused(error: ProtocolError) -> DomainError:
    if error.status == 413:
        return PayloadTooLarge(N_("Too many commands in one push: at most %(max)s."), max=100)
    if error.status == 410:
        gone = Gone(error.message)
        gone.fields = {error.path: [error.message]}
        return gone
    refused: DomainError = ValidationFailed({error.path: [error.message]})
    if error.status == 400:
        refused = DomainError(N_("This protocol version is not supported."))
        refused.fields = {error.path: [error.message]}
    return refused


@blp.before_request
def _bounded_body() -> None:
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        raise PayloadTooLarge(
            N_("A push may be at most %(kb)s KB; send fewer commands."), kb=MAX_BODY_BYTES // 1024
        )


@blp.after_request
def _compress(response: Response) -> Response:
    accepts = request.headers.get("Accept-Encoding", "")
    if (
        "gzip" in accepts
        and response.status_code == 200
        and not response.direct_passthrough
        and "Content-Encoding" not in response.headers
        and response.content_length is not None
        and response.content_length >= _GZIP_MIN_BYTES
    ):
        response.set_data(gzip.compress(response.get_data(), compresslevel=6))
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


@blp.route("/push")
class SyncPushViews(MethodView):
    """Pushing queued commands."""

    @blp.arguments(PushSchema)
    @blp.response(200, PushResponseSchema)
    @errors(blp, 400, 401, 403, 413, 422, 503)
    def post(self, _body: dict[str, Any]) -> Any:
        """Apply queued commands in device order: applied, duplicate or rejected each"""
        current = _device_actor()
        try:
            push = decode_push(request.get_json())
        except ProtocolError as error:
            raise _refused(error) from None
        assert current.device_id is not None
        # The push runs in a unit of work of its own: end the sign-in's transaction, which holds SQLite's
        # write lock (this is a POST), before the push waits for it.
        uow().commit()
        context = engine.PushContext(
            device_id=current.device_id,
            actor=current,
            uow_factory=partial(database().unit_of_work, writes=True),
            now=now(),
            labels=label_settings(),
            translator=CatalogueTranslator(),
            is_transient=is_transient,
            is_refused_value=is_refused_value,
            confirm_cooldown=timedelta(hours=current_app.config["CONFIRM_COOLDOWN_AFTER_FENCE_CHANGE_HOURS"]),
        )
        return encode_push_response(engine.apply_push(push, context))


@blp.route("/pull")
class SyncPullViews(MethodView):
    """Pulling changes."""

    @blp.arguments(PullArgsSchema, required=False)
    @blp.response(200, PullPageSchema)
    @errors(blp, 401, 403, 410, 422, 503)
    def post(self, args: dict[str, Any]) -> Any:
        """A page of changes of your scope since the cursor (no cursor: a full snapshot)

        A POST: the server records what the device now holds, which later pulls and pushes build on.
        """
        current = _device_actor()
        assert current.device_id is not None
        limit = feed.page_size(args.get("limit"), DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT)
        # The pull records the device's position in a unit of work of its own, opened for writing: end the
        # sign-in's read transaction first, so that the write lock is waited for rather than refused.
        uow().commit()
        try:
            with database().unit_of_work(writes=True) as pull_uow:
                page = feed.pull(
                    args.get("cursor"), limit, current.device_id, current, pull_uow, CatalogueTranslator()
                )
        except ProtocolError as error:
            raise _refused(error) from None
        return encode_pull_page(page)
