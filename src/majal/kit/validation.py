"""Pydantic's validation errors, retold in the user's language; the types and parsers of ids and numbers people type."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

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


# --- database ids and numbers typed by people -----------------------------------------------------------------------

MAX_ROW_ID = 2**31 - 1  # Integer primary keys: PostgreSQL's integer, the smaller range of our two databases
MAX_BIG_ROW_ID = 2**63 - 1  # BigInteger primary keys (households keep the id of their import)
ASCII_DIGITS = re.compile(r"[0-9]+")
ASCII_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _ascii_digits(value: Any) -> Any:
    """Only [0-9] make an id: pydantic would also take "1_000" and " 5 "."""
    if isinstance(value, str) and not ASCII_DIGITS.fullmatch(value):
        raise PydanticCustomError("int_parsing", "Input should be a whole number written with the digits 0-9")
    return value


# The id of a row, in a path or a query: outside the column's range no row has it (a path answers 404, see app.py).
# (The bounds before the validator: after it, pydantic would write them into the JSON schema as "ge" and "le".)
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID), BeforeValidator(_ascii_digits)]
BigRowId = Annotated[int, Field(ge=1, le=MAX_BIG_ROW_ID), BeforeValidator(_ascii_digits)]


def row_id(text: str, maximum: int = MAX_ROW_ID) -> int | None:
    """The id a person typed in a form field, or None when no row can have it: digits other than 0-9 ("²" and "٣"
    pass str.isdigit(), and int() reads "٣") or a number outside the column's range."""
    text = text.strip()
    if not ASCII_DIGITS.fullmatch(text) or len(text) > len(str(maximum)):  # int() refuses past 4,300 digits
        return None
    value = int(text)
    return value if 1 <= value <= maximum else None


def decimal_number(text: str) -> float:
    """A number a person typed, as float() reads it but with the digits 0-9 only (float() also reads "٣" and "３");
    ValueError otherwise. "nan" and "inf" are no numbers here."""
    text = text.strip()
    if not ASCII_NUMBER.fullmatch(text):
        raise ValueError(f"not a decimal number: {text[:20]!r}")
    return float(text)


# --- the NUL character ----------------------------------------------------------------------------------------------

NUL_REFUSED = N_("The text may not hold the NUL character (U+0000): remove it and try again.")


def nul_path(value: Any, path: str = "") -> str | None:
    """Where a NUL is in a value read from JSON, a form or a file row (dotted keys and list positions; "" for the
    value itself), or None: PostgreSQL cannot store NUL in text, and no field has a use for it."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, inner in value.items():
            where = f"{path}.{shown_key(key)}" if path else shown_key(key)
            found = where if "\x00" in str(key) else nul_path(inner, where)
            if found is not None:
                return found
    if isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            found = nul_path(inner, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


def shown_key(key: Any) -> str:
    """A field name fit to show in a refusal: its NUL written \\0, at most 40 characters."""
    return str(key).replace("\x00", "\\0")[:40]
