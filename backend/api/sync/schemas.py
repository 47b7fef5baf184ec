"""Sync payloads: documented here, decoded by `sync.protocol` and `sync.commands` (the wire format)."""

from apispec import APISpec
from marshmallow import Schema, fields, validate

from sync.commands import COMMANDS
from sync.protocol import MAX_COMMANDS, MAX_PULL_LIMIT


class CommandSchema(Schema):
    """One queued command of the phone."""

    op_id = fields.String(required=True, metadata={"description": "A UUID made by the phone."})
    device_seq = fields.Integer(required=True, strict=True, metadata={"description": "+1 per command."})
    name = fields.String(required=True, metadata={"description": "See docs/sync.md for the commands."})
    version = fields.Integer(required=True, strict=True)
    args = fields.Dict(required=True, metadata={"description": "As the schema named after the command."})
    captured_at = fields.String(required=True, metadata={"description": "The device clock, with an offset."})


class TelemetrySchema(Schema):
    """What the phone says about itself."""

    app_version = fields.String(allow_none=True)
    pending = fields.Integer(strict=True, allow_none=True)


class PushSchema(Schema):
    """A batch of commands in device order (the body is checked in full by the protocol decoder)."""

    protocol_version = fields.Raw(required=True, metadata={"description": "1"})
    commands = fields.List(
        fields.Raw(metadata={"description": "A command (see CommandSchema)."}),
        required=True,
        metadata={"description": f"At most {MAX_COMMANDS} (413 beyond), in ascending device_seq."},
    )
    telemetry = fields.Raw(allow_none=True, metadata={"description": "See TelemetrySchema."})


class PushResponseSchema(Schema):
    """A result per command looked at, the device's last applied seq, why it stopped, the pull cursor."""

    protocol_version = fields.Integer()
    results = fields.List(fields.Dict())
    last_applied_seq = fields.Integer()
    stopped = fields.Dict(allow_none=True)
    cursor = fields.String()


class PullArgsSchema(Schema):
    """Where to continue, and how many changes at most."""

    cursor = fields.String(
        load_default=None, validate=validate.Length(max=1000), metadata={"description": "Empty to start."}
    )
    limit = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_PULL_LIMIT))


class PullPageSchema(Schema):
    """A page of changes."""

    protocol_version = fields.Integer()
    changes = fields.List(fields.Dict())
    cursor = fields.String()
    has_more = fields.Boolean()


def document_commands(spec: APISpec) -> None:
    """A command and the telemetry in the OpenAPI document, and each command's args under its name."""
    spec.components.schema("Command", schema=CommandSchema)
    spec.components.schema("Telemetry", schema=TelemetrySchema)
    for name, command in COMMANDS.items():
        spec.components.schema(name, schema=command.args)
