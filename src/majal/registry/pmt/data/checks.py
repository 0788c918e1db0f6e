"""Coercion: each column cast to its type and checked (range, IDCS, NUL), vectorised; the first bad value raises."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from majal.kit.i18n import N_
from majal.kit.validation import NUL_REFUSED
from majal.registry.pmt.data.columns import Column
from majal.registry.pmt.data.errors import InvalidIdentifier, InvalidValue, NegativeAmount, UnknownRegion


def first_true(mask: pl.Series) -> int | None:
    """Index of the first True of a boolean series (nulls count as False)."""
    mask = mask.fill_null(value=False)
    return int(mask.arg_true()[0]) if mask.any() else None


def shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _null_where(series: pl.Series, mask: pl.Series) -> pl.Series:
    """`series` with nulls where `mask` is true."""
    return series.zip_with(mask.fill_null(value=False).not_(), pl.repeat(None, len(series), dtype=series.dtype,
                                                                         eager=True))


_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")


def _convert(series: pl.Series, column: Column) -> pl.Series:
    """Cast a column to its type; values that do not convert become null (and are reported by the caller)."""
    target = column.dtype
    if series.dtype == target:
        return series
    kind, dtype = column.kind, series.dtype
    if kind in ("id", "count"):
        if dtype == pl.String:
            series = series.str.strip_chars()
        if dtype.is_float():
            series = _null_where(series, series.is_finite().not_() | (series != series.round()))
        return series.cast(pl.Int64, strict=False).cast(target, strict=False)
    if kind == "amount":
        if dtype == pl.String:
            series = series.str.strip_chars()
        converted = series.cast(pl.Float64, strict=False)
        return _null_where(converted, converted.is_finite().not_())
    if kind == "bool":
        if dtype.is_integer():
            return series.cast(pl.Int64).replace_strict({1: True, 0: False}, default=None, return_dtype=pl.Boolean)
        text = series.cast(pl.String).str.strip_chars().str.to_lowercase()
        mapping = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}
        return text.replace_strict(mapping, default=None, return_dtype=pl.Boolean)
    if kind == "enum":
        return series.cast(pl.String).str.strip_chars().cast(target, strict=False)
    if kind == "date":
        if dtype == pl.Datetime:
            return series.dt.date()
        return series.cast(pl.String).str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    return series.cast(pl.String)


_BAD_VALUE = {
    "id": N_("“%(value)s” is not a whole number."),
    "count": N_("“%(value)s” is not a whole number."),
    "amount": N_("“%(value)s” is not a number."),
    "bool": N_("“%(value)s” is not true or false."),
    "date": N_("“%(value)s” is not a date written YYYY-MM-DD."),
    "text": N_("“%(value)s” is not text."),
    "idcs": N_("“%(value)s” is not text."),
}


def coerce(frame: pl.DataFrame, columns: Sequence[Column], source: str) -> pl.DataFrame:
    """The table with exactly `columns`, typed; the first bad value raises a `RegistryDataError` (row and field)."""
    for column in columns:
        if column.required and column.name not in frame.columns:
            raise InvalidValue(N_("This column is missing."), source=source, row=None, field=column.name)
    out: dict[str, pl.Series] = {}
    for column in columns:
        if column.name not in frame.columns:
            out[column.name] = pl.repeat(None, frame.height, dtype=column.dtype, eager=True).alias(column.name)
            continue
        raw = frame.get_column(column.name)
        nul = first_true(raw.str.contains("\x00", literal=True)) if raw.dtype == pl.String else None
        if nul is not None:
            raise InvalidValue(NUL_REFUSED, source=source, row=nul + 1, field=column.name)
        converted = _convert(raw, column)
        # null_count() is free: the value-by-value search only runs when something is wrong
        bad = (first_true(converted.is_null() & raw.is_not_null()) if converted.null_count() > raw.null_count()
               else None)
        if bad is not None:
            value = shown(raw[bad])
            if column.kind == "enum":
                error = UnknownRegion if column.name == "region" else InvalidValue
                raise error(N_("Unknown value “%(value)s”; expected one of: %(expected)s."), source=source,
                            row=bad + 1, field=column.name, value=value, expected=", ".join(column.values))
            if column.kind == "idcs":
                raise InvalidIdentifier(N_("An IDCS is exactly 10 digits."), source=source, row=bad + 1,
                                        field=column.name)
            raise InvalidValue(_BAD_VALUE[column.kind], source=source, row=bad + 1, field=column.name, value=value)
        if column.required and converted.null_count():
            empty = first_true(converted.is_null())
            if empty is not None:
                raise InvalidValue(N_("This field is empty."), source=source, row=empty + 1, field=column.name)
        _check_range(converted, column, source)
        out[column.name] = converted.alias(column.name)
    return pl.DataFrame(out)


def _check_range(series: pl.Series, column: Column, source: str) -> None:
    if column.kind in ("count", "amount"):
        negative = first_true(series < 0)
        if negative is not None:
            raise NegativeAmount(N_("“%(value)s” is negative; it must be 0 or more."), source=source,
                                 row=negative + 1, field=column.name, value=shown(series[negative]))
        if column.minimum > 0:
            low = first_true(series < column.minimum)
            if low is not None:
                raise InvalidValue(N_("“%(value)s” is too small; it must be at least %(minimum)s."), source=source,
                                   row=low + 1, field=column.name, value=shown(series[low]), minimum=column.minimum)
    elif column.kind == "id":
        low = first_true(series <= 0)
        if low is not None:
            raise InvalidValue(N_("“%(value)s” is not a whole number above 0."), source=source, row=low + 1,
                               field=column.name, value=shown(series[low]))
    elif column.kind == "idcs":
        # Exactly ten ASCII digits. The value itself is never echoed: it may be someone's real identifier.
        bad = first_true(~series.str.contains(r"^[0-9]{10}$"))
        if bad is not None:
            raise InvalidIdentifier(N_("An IDCS is exactly 10 digits."), source=source, row=bad + 1, field=column.name)

