"""API resource `/api/holiday-calendars`: official holiday arrangements entered as data, year by year."""

from backend.api.holiday_calendars import routes as routes
