"""Preparing the records: Moroccan name keys and normalised names, dates, national identifiers split into IDCS and
CNIE, phones, places and sexes, each field in the form its comparison reads."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from majal.registry.matching.dedup.model import PERSON_MODEL, Model
from majal.registry.matching.names import name_key, normalize_name

IDCS = re.compile(r"\d{10}")
CNIE = re.compile(r"[A-Z]{1,2}\d{3,7}")
_EMPTY_IDS = frozenset({"", "0", "-", "NA", "N/A", "NULL", "NONE", "NEANT", "NÉANT"})
SEX_CODES = {"m": "M", "h": "M", "male": "M", "homme": "M", "ذكر": "M", "f": "F", "female": "F", "femme": "F",
        "أنثى": "F", "انثى": "F", "انثي": "F"}


def column_strings(table: pa.Table, column: str) -> list[str | None]:
    if column not in table.column_names:
        return [None] * table.num_rows
    values: list[str | None] = table.column(column).cast(pa.string()).to_pylist()
    return values


def _date_text(value: str | None) -> str | None:
    if not value:
        return None
    text = value.strip()
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text or None


def national_id_kind(value: str | None) -> tuple[str | None, str | None]:
    """(IDCS, CNIE) of a national identifier as typed; (None, None) when empty; ValueError when neither."""
    text = re.sub(r"[\s.-]", "", value or "").upper()
    if text in _EMPTY_IDS:
        return None, None
    if IDCS.fullmatch(text):
        return text, None
    if CNIE.fullmatch(text):
        return None, text
    raise ValueError(text)


def _map_unique(values: pa.Array | pa.ChunkedArray, function: Callable[[str | None], str | None]) -> pa.Array:
    """`function` over each distinct value only (names repeat a lot: a million records hold a few thousand names)."""
    encoded = pc.dictionary_encode(values.cast(pa.string()))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    mapped = pa.array([function(value) or None for value in encoded.dictionary.to_pylist()], type=pa.string())
    return pc.take(mapped, encoded.indices)


def _column(records: pa.Table, column: str) -> pa.Array | pa.ChunkedArray:
    if column not in records.column_names:
        return pa.nulls(records.num_rows, pa.string())
    return records.column(column)


def _where(values: pa.Array | pa.ChunkedArray, pattern: str) -> pa.Array | pa.ChunkedArray:
    """The values that match `pattern` entirely, null elsewhere."""
    matches = pc.fill_null(pc.match_substring_regex(values, f"^(?:{pattern})$"), False)
    return pc.if_else(matches, values, pa.scalar(None, pa.string()))


def _sex(value: str | None) -> str | None:
    return SEX_CODES.get((value or "").strip().casefold())


def sex_code(value: str | None) -> str | None:
    """M or F from the ways lists write it (M/F, H, male/female, homme/femme, ذكر/أنثى); None when empty or unknown."""
    return _sex(value)


def _folded(value: str | None) -> str | None:
    return (value or "").strip().casefold() or None


def prepare(records: pa.Table, model: Model = PERSON_MODEL) -> pa.Table:
    """The columns Splink compares: name keys and normalised names, normalised fields, a numeric unique_id."""
    first = _column(records, model.first_name)
    last = _column(records, model.last_name)
    first_key = _map_unique(first, name_key)
    last_key = _map_unique(last, name_key)
    ordered = pc.less_equal(pc.fill_null(first_key, ""), pc.fill_null(last_key, ""))
    low = pc.if_else(ordered, first_key, last_key)
    high = pc.if_else(ordered, last_key, first_key)
    full = pc.binary_join_element_wise(pc.fill_null(low, ""), pc.fill_null(high, ""), " ")
    columns: dict[str, Any] = {
        "unique_id": pa.array(np.arange(records.num_rows, dtype=np.int64)),
        "first_key": first_key,
        "last_key": last_key,
        "full_key": _map_unique(full, lambda text: (text or "").strip()),
        "first_norm": _map_unique(first, normalize_name),
        "last_norm": _map_unique(last, normalize_name),
    }
    for spec in model.fields:
        values = _column(records, spec.column)
        if spec.kind == "date":
            dates = _map_unique(values, _date_text)
            columns[spec.column] = dates
            columns[f"{spec.column}_year"] = pc.utf8_slice_codeunits(dates, 0, 4)
            columns[f"{spec.column}_day"] = pc.utf8_slice_codeunits(dates, 5, 10)  # month and day: the year is wrong
        elif spec.kind == "national_id":
            text = pc.utf8_upper(pc.replace_substring_regex(values.cast(pa.string()), r"[\s.\-]", ""))
            columns["idcs"] = _where(text, IDCS.pattern)
            columns["cnie"] = _where(text, CNIE.pattern)
        elif spec.kind == "phone":
            digits = pc.replace_substring_regex(values.cast(pa.string()), r"\D", "")
            digits = pc.replace_substring_regex(digits, r"^(?:00212|212|0)(\d{9})$", r"\1")
            columns[spec.column] = _where(digits, r"\d{9}")
        elif spec.kind == "place":
            columns[spec.column] = _map_unique(values, name_key)
        elif spec.kind == "sex":
            columns[spec.column] = _map_unique(values, _sex)
        else:
            columns[spec.column] = _map_unique(values, _folded)
    if "idcs" not in columns:
        columns["idcs"] = pa.nulls(records.num_rows, pa.string())
        columns["cnie"] = pa.nulls(records.num_rows, pa.string())
    return pa.table(columns)
