"""Holiday calendar payloads: the official years of a calendar, one year's days, and the due dates moved."""

from marshmallow import Schema, fields, validate

from backend.api.common import text

_DAYS = validate.Length(max=366)


class HolidayCalendarSchema(Schema):
    """Which years of a calendar are official."""

    code = fields.String(metadata={"description": "ISO country code, e.g. CN."})
    package_official_until = fields.Integer(
        allow_none=True,
        metadata={
            "description": "The last year whose official arrangement the holidays package ships; later "
            "years are its estimate (provisional) unless entered. Null: every year follows fixed rules."
        },
    )
    entered_years = fields.List(fields.Integer(), metadata={"description": "Years entered as data."})


class HolidayCalendarYearSchema(Schema):
    """One year of a calendar as schedules use it."""

    code = fields.String()
    year = fields.Integer()
    holidays = fields.List(fields.Date(), metadata={"description": "Weekdays that are days off."})
    working_days = fields.List(
        fields.Date(), metadata={"description": "Weekend days that are working days (make-up days, 调休)."}
    )
    official = fields.Boolean(metadata={"description": "False while the year rests on an estimate."})
    entered = fields.Boolean(metadata={"description": "Whether the year was entered as data."})
    source = fields.String(allow_none=True)
    updated_at = fields.AwareDateTime(allow_none=True)


class HolidayCalendarYearInputSchema(Schema):
    """A year's official arrangement: every day off (weekend days too, or only weekdays) and every weekend
    day worked instead; other weekdays are working days and other weekend days are off."""

    holidays = fields.List(fields.Date(), required=True, validate=_DAYS)
    working_days = fields.List(fields.Date(), required=True, validate=_DAYS)
    source = text(300, allow_none=True, metadata={"description": "Where the arrangement was published."})


class MovedDueDateSchema(Schema):
    """One unbilled schedule item whose due date moved."""

    lease_id = fields.Integer()
    lease = fields.String(metadata={"description": "The lease number."})
    item_id = fields.Integer()
    line_key = fields.String()
    charge_type = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    old_due_date = fields.Date()
    new_due_date = fields.Date()


class CalendarFailureSchema(Schema):
    """A lease whose schedule could not be worked out on the new calendar; its dates were left alone."""

    lease_id = fields.Integer()
    lease = fields.String()
    reason = fields.String()


class CalendarChangeSchema(Schema):
    """What a calendar change did to the unbilled due dates of live leases."""

    code = fields.String()
    year = fields.Integer(allow_none=True)
    moved = fields.List(fields.Nested(MovedDueDateSchema))
    failures = fields.List(fields.Nested(CalendarFailureSchema))
