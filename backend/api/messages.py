"""Translating the field messages of marshmallow and webargs, which are English literals."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext

from backend.core.domain.errors import N_, Message
from backend.org.domain.org import THROUGH_A_PROPOSAL

# Listed so that `make i18n-extract` puts them in the catalogue; looked up by their exact text.
FIXED_MESSAGES = (
    N_("Missing data for required field."),
    N_("Unknown field."),
    N_("Field may not be null."),
    N_("Invalid input type."),
    N_("Invalid value."),
    N_("Invalid type."),
    N_("Not a valid integer."),
    N_("Not a valid string."),
    N_("Not a valid number."),
    N_("Not a valid boolean."),
    N_("Not a valid email address."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Not a valid aware datetime."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("String does not match expected pattern."),
    N_("Control characters are not accepted."),
    N_("Send at least one field to change."),
    N_("Use letters, digits, '.', '-' and '_' only."),
    THROUGH_A_PROPOSAL,
)

# Messages with values in them: the pattern recovers the values, the template re-inserts them.
PATTERNS = (
    (re.compile(r"^Longer than maximum length (?P<max>\d+)\.$"), N_("Longer than maximum length %(max)s.")),
    (re.compile(r"^Shorter than minimum length (?P<min>\d+)\.$"), N_("Shorter than minimum length %(min)s.")),
    (
        re.compile(r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$"),
        N_("Length must be between %(min)s and %(max)s."),
    ),
    (
        re.compile(r"^Must lie between (?P<min>-?\d+) and (?P<max>-?\d+)\.$"),
        N_("Must lie between %(min)s and %(max)s."),
    ),
    (
        re.compile(
            r"^Must be greater than or equal to (?P<min>-?\d+) and less than or equal to (?P<max>-?\d+)\.$"
        ),
        N_("Must lie between %(min)s and %(max)s."),
    ),
    (re.compile(r"^Must be one of: (?P<choices>.*)\.$"), N_("Must be one of: %(choices)s.")),
    (
        re.compile(r"^Sort by comma-separated fields of: (?P<fields>.*)\.$"),
        N_("Sort by comma-separated fields of: %(fields)s."),
    ),
)


def translate(message: str) -> str:
    """The message in the request's language, values kept."""
    if isinstance(message, Message):
        return str(gettext(message.template, **message.params))
    for pattern, template in PATTERNS:
        if match := pattern.match(message):
            return str(gettext(template, **match.groupdict()))
    return str(gettext(message))


def translate_errors(errors: Any) -> Any:
    """Translate every message in a nested error structure (field → messages, list index → …)."""
    if isinstance(errors, str):
        return translate(errors)
    if isinstance(errors, list):
        return [translate_errors(item) for item in errors]
    if isinstance(errors, dict):
        return {key: translate_errors(value) for key, value in errors.items()}
    return errors


class CatalogueTranslator:
    """The request's language, through the application's catalogue (for sync and the field reports)."""

    def message(self, template: str, params: Mapping[str, Any]) -> str:
        """One message."""
        text: str = gettext(template, **params) if params else gettext(template)
        return text

    def fields(self, fields: Mapping[str, Any]) -> dict[str, list[str]]:
        """Messages by field."""
        translated: dict[str, list[str]] = translate_errors(dict(fields))
        return translated
