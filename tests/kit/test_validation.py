"""Ids, numbers and NUL characters in what people type: the kit's parsers and types."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import TypeAdapter, ValidationError

from majal.kit.validation import MAX_BIG_ROW_ID, MAX_ROW_ID, BigRowId, RowId, decimal_number, nul_path, row_id


@pytest.mark.parametrize(("text", "expected"), [
    ("1", 1), (" 42 ", 42), (str(MAX_ROW_ID), MAX_ROW_ID), (str(MAX_ROW_ID + 1), None), ("0", None),
    ("-1", None), ("²", None), ("٣", None), ("３", None), ("1_000", None), ("1e3", None), ("", None),
    ("9" * 5000, None),  # int() refuses strings past 4,300 digits
])
def test_row_id_takes_ascii_digits_within_the_column(text: str, expected: int | None) -> None:
    assert row_id(text) == expected


def test_row_id_of_a_big_column() -> None:
    assert row_id(str(MAX_BIG_ROW_ID), MAX_BIG_ROW_ID) == MAX_BIG_ROW_ID
    assert row_id(str(MAX_BIG_ROW_ID + 1), MAX_BIG_ROW_ID) is None


@pytest.mark.parametrize(("kind", "value", "ok"), [
    (RowId, "7", True), (RowId, 7, True), (RowId, str(MAX_ROW_ID + 1), False), (RowId, "٣", False),
    (RowId, "1_0", False), (RowId, " 7", False), (RowId, 0, False),
    (BigRowId, str(MAX_BIG_ROW_ID), True), (BigRowId, str(MAX_BIG_ROW_ID + 1), False),
])
def test_id_types_refuse_what_no_row_has(kind: object, value: object, ok: bool) -> None:
    adapter = TypeAdapter(Annotated[kind, "id"])  # type: ignore[valid-type]
    if ok:
        assert adapter.validate_python(value) == int(value)  # type: ignore[call-overload]
    else:
        with pytest.raises(ValidationError):
            adapter.validate_python(value)


def test_id_types_publish_their_range() -> None:
    schema = TypeAdapter(RowId).json_schema()
    assert (schema["type"], schema["minimum"], schema["maximum"]) == ("integer", 1, MAX_ROW_ID)


@pytest.mark.parametrize(("text", "expected"), [("2.5", 2.5), ("-0.5", -0.5), (" 12 ", 12.0), ("1e3", 1000.0),
                                                (".5", 0.5)])
def test_decimal_numbers(text: str, expected: float) -> None:
    assert decimal_number(text) == expected


@pytest.mark.parametrize("text", ["٣", "١.٥", "３", "²", "nan", "inf", "-Infinity", "1_000", "", "1,5", "0x10"])
def test_decimal_numbers_refuse_what_float_would_read(text: str) -> None:
    with pytest.raises(ValueError):
        decimal_number(text)


def test_nul_path_names_where_the_nul_is() -> None:
    assert nul_path({"a": "fine", "b": [1, {"c": "x\x00"}]}) == "b.1.c"
    assert nul_path({"a\x00b": 1}) == "a\\0b"
    assert nul_path("\x00") == ""
    assert nul_path({"a": ["fine", 2, None, 3.5]}) is None
