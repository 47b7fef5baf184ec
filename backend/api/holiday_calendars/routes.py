"""Holiday calendars: the official years of a calendar, entering a year, and following it in schedules."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import READ_ONE, WRITE_ONE, errors
from backend.api.context import actor, now, uow
from backend.api.holiday_calendars.schemas import (
    CalendarChangeSchema,
    HolidayCalendarSchema,
    HolidayCalendarYearInputSchema,
    HolidayCalendarYearSchema,
)
from backend.leasing.services import holiday_calendars

blp = Blueprint(
    "holiday_calendars",
    __name__,
    url_prefix="/api/holiday-calendars",
    description="Official holiday arrangements (days off, make-up working days) entered year by year.",
)

CODE = "<string(minlength=2, maxlength=8):code>"
YEAR = "<int(min=1950, max=2200):year>"


@blp.route(f"/{CODE}")
class HolidayCalendarViews(MethodView):
    """One calendar."""

    @blp.response(200, HolidayCalendarSchema)
    @errors(blp, *READ_ONE, 422)
    def get(self, code: str) -> Any:
        """Say which years of a holiday calendar are official"""
        return holiday_calendars.list_years(code, actor(), uow())


@blp.route(f"/{CODE}/years/{YEAR}")
class HolidayCalendarYearViews(MethodView):
    """One year of a calendar."""

    @blp.response(200, HolidayCalendarYearSchema)
    @errors(blp, *READ_ONE, 422)
    def get(self, code: str, year: int) -> Any:
        """Read a year of a holiday calendar: entered, official from the package, or estimated"""
        return holiday_calendars.get_year(code, year, actor(), uow())

    @blp.arguments(HolidayCalendarYearInputSchema)
    @blp.response(200, CalendarChangeSchema)
    @errors(blp, *WRITE_ONE)
    def put(self, values: dict[str, Any], code: str, year: int) -> Any:
        """Enter a year's official arrangement; unbilled due dates of live leases follow it"""
        return holiday_calendars.set_year(code, year, values, actor(), uow(), now())

    @blp.response(200, CalendarChangeSchema)
    @errors(blp, *WRITE_ONE)
    def delete(self, code: str, year: int) -> Any:
        """Remove an entered year; the package's calendar applies again and due dates follow it"""
        return holiday_calendars.delete_year(code, year, actor(), uow(), now())


@blp.route(f"/{CODE}/recompute")
class HolidayCalendarRecomputeViews(MethodView):
    """Due dates on the calendar as it stands."""

    @blp.response(200, CalendarChangeSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, code: str) -> Any:
        """Work unbilled due dates out again on the calendar as it stands (after a package update)"""
        return holiday_calendars.recompute(code, actor(), uow(), now())
