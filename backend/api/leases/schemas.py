"""Lease, charge line, concession, schedule and amendment payloads."""

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from backend.api.common import Flag, TimestampsSchema, decimal, ident, sort_field, text
from backend.collections.domain.late_fees import RateBasis
from backend.leasing.domain.leases import AmendmentStatus, LeaseStatus
from backend.leasing.domain.schedule import EscalationKind, PeriodAnchor, RoundingMode

CODE_TEXT = {"description": "A canonical code or any alias from the alias table (e.g. 两月一次 → bimonthly)."}


def _code_text() -> fields.String:
    return text(50, metadata=CODE_TEXT)


class EscalationSchema(Schema):
    """How a charge steps up: every N months by a percent, a fixed amount, or a price index."""

    kind = fields.Enum(EscalationKind, by_value=True, required=True)
    every_months = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=120))
    value = decimal(4, -1_000_000, 1_000_000, allow_none=True, metadata={"description": "Percent or amount."})
    floor_percent = decimal(4, -100, 100, allow_none=True)
    cap_percent = decimal(4, -100, 100, allow_none=True)
    index = text(32, allow_none=True, metadata={"description": "Price index series for CPI, e.g. CN-CPI."})
    anchor = fields.Date(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Where the steps count from when an amendment re-based the chain."},
    )


class ChargeLineSchema(Schema):
    """One dated version of a charge; escalations and amendments open new versions."""

    id = fields.Integer(dump_only=True)
    series = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)
    charge_type = text(50, required=True, metadata=CODE_TEXT)
    monthly_amount = decimal(2, 0, 100_000_000, required=True)
    starts_on = fields.Date(allow_none=True, metadata={"description": "Default: the lease start."})
    ends_on = fields.Date(allow_none=True, metadata={"description": "Default: the lease end."})
    frequency = text(50, allow_none=True, metadata=CODE_TEXT)
    escalation = fields.Nested(EscalationSchema, allow_none=True)
    replaced_by_amendment_id = fields.Integer(dump_only=True, allow_none=True)


class NewChargeSchema(Schema):
    """A charge's new monthly amount from an amendment's effective date."""

    charge_type = text(50, required=True, metadata=CODE_TEXT)
    monthly_amount = decimal(2, 0, 100_000_000, required=True)
    frequency = text(50, allow_none=True, metadata=CODE_TEXT)
    escalation = fields.Nested(
        EscalationSchema,
        allow_none=True,
        metadata={"description": "A new step-up rule, counted from the effective date."},
    )
    keep_escalation = fields.Boolean(
        load_default=True,
        metadata={
            "description": "Without a new rule: true (default) continues the charge's step-ups on the new "
            "amount, on their original dates; false makes the new amount flat."
        },
    )


class ConcessionSchema(Schema):
    """A dated rent concession; free rent is 100 %."""

    id = fields.Integer(dump_only=True)
    charge_type = text(50, load_default="rent", metadata=CODE_TEXT)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    percent = decimal(4, 0, 100, load_default="100")
    extends_term = Flag(load_default=False)
    note = text(300, allow_none=True)


class LeaseSchema(TimestampsSchema):
    """A lease of one or more assets of one project to one customer."""

    id = fields.Integer(dump_only=True)
    number = text(64, metadata={"description": "Default: <project code>-<year>-<sequence>."})
    template_id = ident(required=True)
    project_id = ident(metadata={"description": "Needed only when no asset is named yet."})
    customer_id = ident(allow_none=True)
    asset_ids = fields.List(ident(), validate=validate.Length(max=200))
    status = fields.Enum(LeaseStatus, by_value=True, dump_only=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    frequency = _code_text()
    timing = _code_text()
    due_day = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=31))
    due_offset_days = fields.Integer(strict=True, validate=validate.Range(min=-90, max=90))
    business_day_rule = _code_text()
    anchor = fields.Enum(PeriodAnchor, by_value=True)
    prorate = Flag()
    rounding = fields.Enum(RoundingMode, by_value=True)
    deposit_amount = decimal(2, 0, 1_000_000_000, allow_none=True)
    notice_period_days = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0, max=730))
    auto_renew = Flag()
    renewal_term_months = fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(min=1, max=240)
    )
    account_manager_id = ident(allow_none=True)
    late_fee_rate = decimal(
        8,
        0,
        1,
        allow_none=True,
        metadata={"description": "The late-fee clause's rate per day or month of delay: 0.0005 is 0.05 %."},
    )
    late_fee_basis = fields.String(
        validate=validate.OneOf([basis.value for basis in RateBasis]),
        metadata={"description": "What the rate is per: per_day, or per_month (a month counts 30 days)."},
    )
    late_fee_grace_days = fields.Integer(strict=True, validate=validate.Range(min=0, max=90))
    late_fee_cap_rate = decimal(
        4, 0, 1, allow_none=True, metadata={"description": "The most a bill accrues, as a share of it."}
    )
    late_fee_article = text(64, allow_none=True, metadata={"description": "The clause, cited in warnings."})
    purpose = text(200, allow_none=True)
    tags = fields.List(text(50), validate=validate.Length(max=20))
    note = text(2000, min_length=0, allow_none=True)
    version = fields.Integer(dump_only=True)
    signed_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    closed_on = fields.Date(dump_only=True, allow_none=True)
    close_reason = fields.String(dump_only=True, allow_none=True)
    renewed_from_id = fields.Integer(dump_only=True, allow_none=True)
    charge_lines = fields.List(
        fields.Nested(ChargeLineSchema), attribute="current_lines", validate=validate.Length(max=50)
    )
    concessions = fields.List(
        fields.Nested(ConcessionSchema), attribute="current_concessions", validate=validate.Length(max=50)
    )

    @post_load
    def _service_names(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if "current_lines" in data:
            data["charge_lines"] = data.pop("current_lines")
        if "current_concessions" in data:
            data["concessions"] = data.pop("current_concessions")
        return data


class LeaseQueryArgsSchema(Schema):
    """Filters for the lease list."""

    q = text(
        100,
        metadata={
            "description": "Search, case-insensitively, in the number, the purpose, the customer's name, the "
            "codes of the let assets and the tags."
        },
    )
    project_id = ident(in_query=True)
    customer_id = ident(in_query=True)
    asset_id = ident(in_query=True, metadata={"description": "Leases of this asset."})
    template_id = ident(in_query=True, metadata={"description": "Leases made from this contract template."})
    account_manager_id = ident(in_query=True)
    status = fields.List(
        fields.Enum(LeaseStatus, by_value=True), metadata={"description": "Any of these statuses."}
    )
    ends_from = fields.Date(metadata={"description": "Ending on or after this date."})
    ends_to = fields.Date(metadata={"description": "Ending on or before this date."})
    expiring_within = fields.Integer(
        validate=validate.Range(min=1, max=3650),
        metadata={
            "description": "Days: running leases (signed, active, expiring, renewed) whose end date lies "
            "between today and today plus this many days, today taken in each project's time zone."
        },
    )
    sort = sort_field("number", "starts_on", "ends_on", "status", "created_at")


EXPORT_FORMATS = ("xlsx", "csv")


class LeaseExportQueryArgsSchema(LeaseQueryArgsSchema):
    """The lease list's filters and sort, and the file format of the export."""

    format = fields.String(
        load_default="xlsx",
        validate=validate.OneOf(EXPORT_FORMATS),
        metadata={
            "description": "xlsx (an Excel workbook, the default) or csv (UTF-8 with a byte order mark)."
        },
    )


class TerminationSchema(Schema):
    """Ending a lease early."""

    on = fields.Date(required=True, metadata={"description": "The lease's last day."})
    reason = text(2000, required=True)


class RenewalSchema(Schema):
    """The successor's term; by default it follows on for the renewal term with the last rents."""

    starts_on = fields.Date()
    ends_on = fields.Date()
    term_months = fields.Integer(strict=True, validate=validate.Range(min=1, max=240))
    charge_lines = fields.List(fields.Nested(ChargeLineSchema), validate=validate.Length(max=50))


class ScheduleItemSchema(Schema):
    """One receivable of the schedule: period, due date, amount, charge type."""

    id = fields.Integer(dump_only=True)
    line_key = fields.String()
    charge_type = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    due_date = fields.Date()
    months = fields.Decimal(as_string=True, metadata={"type": "string", "format": "decimal"})
    amount = fields.Decimal(as_string=True, metadata={"type": "string", "format": "decimal"})
    is_concession = fields.Boolean()
    provisional = fields.Boolean(
        metadata={
            "description": "The due date rests on a year whose official holiday arrangement is not published "
            "yet (an estimate); it may move once the year is entered."
        }
    )
    status = fields.String(
        metadata={
            "description": "scheduled; issued or paid (billed); adjustment (settles a billed period after a "
            "change: negative is credited, positive billed); written_off."
        }
    )


class TotalsSchema(Schema):
    """Gross rent, concessions and the net amount."""

    gross = fields.Decimal(as_string=True, metadata={"type": "string", "format": "decimal"})
    concessions = fields.Decimal(as_string=True, metadata={"type": "string", "format": "decimal"})
    net = fields.Decimal(as_string=True, metadata={"type": "string", "format": "decimal"})
    adjustments = fields.Decimal(
        as_string=True,
        metadata={
            "type": "string",
            "format": "decimal",
            "description": "Adjustments of billed periods and write-offs (negative: credited); in `net`.",
        },
    )


class ScheduleSchema(Schema):
    """A schedule with its totals."""

    items = fields.List(fields.Nested(ScheduleItemSchema))
    totals = fields.Nested(TotalsSchema)


class WriteOffSchema(Schema):
    """An amount written off, with why."""

    amount = decimal(2, 0, 1_000_000_000, required=True)
    note = text(300, allow_none=True)


class AmendmentSchema(Schema):
    """A change to a signed lease; rent reductions, term changes and write-offs need approval."""

    id = fields.Integer(dump_only=True)
    lease_id = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)
    kinds = fields.List(fields.String(), dump_only=True)
    status = fields.Enum(AmendmentStatus, by_value=True, dump_only=True)
    approval_id = fields.Integer(dump_only=True, allow_none=True)
    applied_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    created_at = fields.AwareDateTime(dump_only=True)
    requested_by_id = fields.Integer(dump_only=True, allow_none=True)
    changes = fields.Dict(dump_only=True)
    effect = fields.Dict(
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "The schedule's difference period by period (before, after, difference) as of the "
            "request, then as applied; billed periods keep their amounts and list the credit (negative) or "
            "debit adjustment that settles them; totals: unbilled_difference, credit, debit, write_off."
        },
    )
    effective_on = fields.Date(required=True)
    reason = text(2000, required=True)
    ends_on = fields.Date(load_only=True, metadata={"description": "A new end date (a term change)."})
    charge_lines = fields.List(
        fields.Nested(NewChargeSchema),
        load_only=True,
        validate=validate.Length(min=1, max=50),
        metadata={"description": "New amounts from the effective date, one per charge type changed."},
    )
    concessions = fields.List(
        fields.Nested(ConcessionSchema), load_only=True, validate=validate.Length(min=1, max=50)
    )
    write_off = fields.Nested(WriteOffSchema, load_only=True)
    tags = fields.List(text(50), load_only=True, validate=validate.Length(max=20))
    account_manager_id = ident(load_only=True)
    purpose = text(200, load_only=True)
    note = text(2000, min_length=0, load_only=True)
    notice_period_days = fields.Integer(strict=True, load_only=True, validate=validate.Range(min=0, max=730))
    auto_renew = Flag(load_only=True)


class AmendmentPreviewSchema(AmendmentSchema):
    """An amendment to try before sending it: the same fields, the reason optional."""

    reason = text(2000, min_length=0)


class AmendmentEffectSchema(Schema):
    """What an amendment would do: its kinds, whether a second person must approve it, its effect."""

    kinds = fields.List(fields.String())
    needs_approval = fields.Boolean()
    effect = fields.Dict(
        metadata={"description": "The schedule's difference period by period, as `effect` of an amendment."}
    )
