"""Pydantic's validation errors, retold in the user's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from majal.kit.i18n import N_, gettext

MESSAGES: dict[str, tuple[str, str | None]] = {
    "missing": (N_("This field is required."), None),
    "float_parsing": (N_("Enter a number."), None),
    "float_type": (N_("Enter a number."), None),
    "finite_number": (N_("Enter a finite number."), None),
    "int_parsing": (N_("Enter a whole number."), None),
    "int_type": (N_("Enter a whole number."), None),
    "int_from_float": (N_("Enter a whole number."), None),
    "bool_parsing": (N_("Enter true or false."), None),
    "greater_than_equal": (N_("Must be at least %(limit)s."), "ge"),
    "greater_than": (N_("Must be more than %(limit)s."), "gt"),
    "less_than_equal": (N_("Must be at most %(limit)s."), "le"),
    "less_than": (N_("Must be less than %(limit)s."), "lt"),
    "string_too_long": (N_("Must be at most %(limit)s characters long."), "max_length"),
    "string_too_short": (N_("Must be at least %(limit)s characters long."), "min_length"),
    "string_type": (N_("Enter text."), None),
    "literal_error": (N_("Choose one of the allowed values."), None),
    "enum": (N_("Choose one of the allowed values."), None),
    "date_from_datetime_parsing": (N_("Enter a date as YYYY-MM-DD."), None),
    "date_parsing": (N_("Enter a date as YYYY-MM-DD."), None),
    "datetime_parsing": (N_("Enter a date and time in ISO 8601 format."), None),
    "json_invalid": (N_("The body is not valid JSON."), None),
}
FALLBACK = N_("This value is not valid.")


def translated_validation_errors(errors: Sequence[Any]) -> list[dict[str, str]]:
    return [_translate(error) for error in errors]


def _translate(error: dict[str, Any]) -> dict[str, str]:
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    message, limit_key = MESSAGES.get(error.get("type", ""), (FALLBACK, None))
    context = error.get("ctx") or {}
    params = {"limit": context.get(limit_key)} if limit_key else {}
    return {
        "field": ".".join(location) or "request",
        "msg": gettext(message, **params),
        "type": error.get("type", ""),
    }
