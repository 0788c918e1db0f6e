"""Importing a population: checked whole (a bad row refuses everything), then written with its identifiers sealed
and each household's computed score and decisions, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl
from sqlalchemy.orm import Session

from majal.kit import audit, crypto
from majal.kit.audit import utcnow
from majal.kit.i18n import N_
from majal.registry import repository
from majal.registry.models import Household, Member
from majal.registry.pmt import data, model_file, programmes
from majal.registry.service.identifiers import (
    CNIE_PATTERN,
    CNIE_PURPOSE,
    CONTACT_PURPOSE,
    IDCS_PURPOSE,
    cnie_digest,
    idcs_digest,
    new_tracking_codes,
)
from majal.registry.service.scores import store_scores

EXTRA_HOUSEHOLD = ("address", "lat", "lon", "phone")
EXTRA_MEMBER = ("cnie", "first_name_ar", "last_name_ar", "first_name_latin", "last_name_latin")


@dataclass(frozen=True)
class ImportResult:
    households: int
    members: int
    scored: int


def import_population(db: Session, files: data.PopulationFiles, *, secret: str, actor: str,
                      as_of: date | None = None, model: model_file.Model | None = None,
                      rules: programmes.Rules | None = None, commune: str | None = None,
                      on_step: Callable[[str], None] | None = None) -> ImportResult:
    """Check a population (the import format), refuse it whole at the first bad row, else write every household and
    member and their computed score and decisions, in the caller's transaction."""
    step = on_step or (lambda _name: None)
    as_of = as_of or date.today()
    model, rules = model or model_file.default_model(), rules or programmes.default_rules()
    version = model.at(as_of)
    population = data.prepare(files.households, files.members, as_of=as_of, sources=files.sources)
    step("check")
    hh_extra = _household_extras(files, len(population))
    m_extra, cnie = _member_extras(db, files, secret)
    digests = _check_not_registered(db, files, secret)
    step("registry")
    households = population.households.join(hh_extra, on="household_id", how="left") if hh_extra is not None \
        else population.households
    if commune:
        households = households.with_columns(commune=pl.col("commune").fill_null(commune))
    codes = new_tracking_codes(households.height, lambda wanted: repository.existing_tracking_codes(db, wanted))
    now = utcnow()
    contacts = None
    if "phone" in households.columns:
        contacts = [crypto.seal(secret, CONTACT_PURPOSE, {"phone": phone}) if phone else None
                    for phone in households.get_column("phone").to_list()]
    rows = households.rename({"household_id": "id"}).drop(
        [name for name in ("phone",) if name in households.columns]).with_columns(
        tracking_code=pl.Series(codes, dtype=pl.String), registered_at=pl.lit(now), verified_at=pl.lit(now),
        address=pl.col("address").fill_null("") if "address" in households.columns else pl.lit(""),
        contact_sealed=pl.Series(contacts, dtype=pl.String) if contacts else pl.lit(None, dtype=pl.String),
    )
    repository.insert_frame(db, Household, rows)
    repository.insert_frame(db, Member, _member_rows(population, files, digests, m_extra, cnie, secret))
    step("write")
    scored = store_scores(db, population, version, rules, kind="computed", actor=actor)
    step("score")
    audit.record(db, actor, "registry.import", "registry", None,
                 {"households": len(population), "members": population.members.height})
    return ImportResult(len(population), population.members.height, scored)


def _household_extras(files: data.PopulationFiles, count: int) -> pl.DataFrame | None:
    raw = files.households
    present = [name for name in EXTRA_HOUSEHOLD if name in raw.columns]
    if not present:
        return None
    ids = data.coerce(raw.select("household_id"), [data.HOUSEHOLD_FIELDS["household_id"]], files.sources.households)
    columns = {"address": data.Column("address", "text", required=False),
               "lat": data.Column("lat", "amount", required=False),
               "lon": data.Column("lon", "amount", required=False),
               "phone": data.Column("phone", "text", required=False)}
    extras = _coerce_signed(raw.select(present), [columns[name] for name in present], files.sources.households)
    for name in ("lat", "lon"):
        if name in extras.columns:
            limit = 90 if name == "lat" else 180
            bad = _first_true(extras.get_column(name).abs() > limit)
            if bad is not None:
                raise data.InvalidValue(N_("“%(value)s” is not a valid coordinate."), source=files.sources.households,
                                        row=bad + 1, field=name, value=str(extras.get_column(name)[bad]))
    return ids.hstack(extras)


def _coerce_signed(frame: pl.DataFrame, columns: list[data.Column], source: str) -> pl.DataFrame:
    """Like `data.coerce`, but coordinates may be negative."""
    out = {}
    for column in columns:
        if column.kind == "amount":
            series = frame.get_column(column.name)
            converted = series.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
            bad = _first_true(converted.is_null() & series.is_not_null() & (series.cast(pl.String) != ""))
            if bad is not None:
                raise data.InvalidValue(N_("“%(value)s” is not a number."), source=source, row=bad + 1,
                                        field=column.name, value=str(series[bad]))
            out[column.name] = converted
        else:
            out[column.name] = data.coerce(frame.select(column.name), [column], source).get_column(column.name)
    return pl.DataFrame(out)


def _first_true(mask: pl.Series) -> int | None:
    mask = mask.fill_null(value=False)
    return int(mask.arg_true()[0]) if mask.any() else None


def _member_extras(db: Session, files: data.PopulationFiles, secret: str
                   ) -> tuple[pl.DataFrame | None, list[str | None]]:
    """Names and CNIE of the members, in the file's order (the CNIE checked: format, unique, not registered)."""
    raw = files.members
    present = [name for name in EXTRA_MEMBER if name in raw.columns]
    if not present:
        return None, [None] * raw.height
    columns = [data.Column(name, "text", required=False) for name in present]
    extras = data.coerce(raw.select(present), columns, files.sources.members)
    for name in present:
        if name == "cnie":
            continue
        long = _first_true(extras.get_column(name).str.len_chars() > 100)
        if long is not None:
            raise data.InvalidValue(N_("Must be at most %(limit)s characters long."), source=files.sources.members,
                                    row=long + 1, field=name, limit=100)
    cnie: list[str | None] = [None] * raw.height
    if "cnie" in present:
        values = extras.get_column("cnie").str.strip_chars().str.to_uppercase()
        values = values.replace("", None)
        bad = _first_true(values.is_not_null() & ~values.str.contains(CNIE_PATTERN.pattern))
        if bad is not None:
            raise data.InvalidIdentifier(N_("A CNIE number is one or two letters followed by digits."),
                                         source=files.sources.members, row=bad + 1, field="cnie")
        cnie = values.to_list()
        seen: dict[str, int] = {}
        for row, value in enumerate(cnie):
            if value is None:
                continue
            if value in seen:
                raise data.DuplicateMember(N_("This CNIE is already listed at row %(other_row)s."),
                                           source=files.sources.members, row=row + 1, field="cnie",
                                           other_row=seen[value] + 1)
            seen[value] = row
        digests = {cnie_digest(secret, value): row for value, row in seen.items()}
        taken = repository.existing_digests(db, "cnie_digest", list(digests))
        if taken:
            row = min(digests[digest] for digest in taken)
            raise data.DuplicateMember(N_("This person is already registered in another household."),
                                       source=files.sources.members, row=row + 1, field="cnie")
    return extras.drop("cnie") if "cnie" in extras.columns else extras, cnie


def _check_not_registered(db: Session, files: data.PopulationFiles, secret: str) -> list[str]:
    """Households and persons already in the registry make the import fail at their row. Returns the members'
    IDCS digests, in the file's order."""
    ids = data.coerce(files.households.select("household_id"), [data.HOUSEHOLD_FIELDS["household_id"]],
                      files.sources.households).get_column("household_id").to_list()
    taken_ids = repository.existing_household_ids(db, ids)
    if taken_ids:
        row = next(index for index, value in enumerate(ids) if value in taken_ids)
        raise data.DuplicateHousehold(N_("Household %(household)s is already in the registry."),
                                      source=files.sources.households, row=row + 1, field="household_id",
                                      household=ids[row])
    idcs = data.coerce(files.members.select("idcs"), [data.MEMBER_FIELDS["idcs"]],
                       files.sources.members).get_column("idcs").to_list()
    digests = [idcs_digest(secret, value) for value in idcs]
    taken = repository.existing_digests(db, "idcs_digest", digests)
    if taken:
        row = next(index for index, value in enumerate(digests) if value in taken)
        raise data.DuplicateMember(N_("This person is already registered in another household."),
                                   source=files.sources.members, row=row + 1, field="idcs")
    return digests


def _member_rows(population: data.Population, files: data.PopulationFiles, digests: list[str],
                 extras: pl.DataFrame | None, cnie: list[str | None], secret: str) -> pl.DataFrame:
    """Member rows in population order, each with its sealed identifiers; extras matched by IDCS."""
    idcs_in_file = data.coerce(files.members.select("idcs"), [data.MEMBER_FIELDS["idcs"]],
                               files.sources.members).get_column("idcs")
    by_file = pl.DataFrame({"idcs": idcs_in_file, "_digest": digests, "_cnie": pl.Series(cnie, dtype=pl.String)})
    if extras is not None:
        by_file = by_file.hstack(extras)
    members = population.members.drop("age").join(by_file, on="idcs", how="left", maintain_order="left")
    households = members.get_column("household_id").to_numpy()
    position = np.arange(len(households)) - np.repeat(population.starts, np.diff(
        np.append(population.starts, len(households))))
    sealed = crypto.seal_texts(secret, IDCS_PURPOSE, members.get_column("idcs").to_list())
    cnie_values = members.get_column("_cnie").to_list()
    given = [value for value in cnie_values if value]
    cnie_sealed = iter(crypto.seal_texts(secret, CNIE_PURPOSE, given))
    names = [(pl.col(name).fill_null("") if name in members.columns else pl.lit("")).alias(name)
             for name in EXTRA_MEMBER[1:]]
    members = members.with_columns(
        *names,
        position=pl.Series(position, dtype=pl.Int32), idcs_sealed=pl.Series(sealed, dtype=pl.String),
        cnie_sealed=pl.Series([next(cnie_sealed) if value else None for value in cnie_values], dtype=pl.String),
        cnie_digest=pl.Series([cnie_digest(secret, value) if value else None for value in cnie_values],
                              dtype=pl.String),
    ).rename({"_digest": "idcs_digest"}).drop("idcs", "_cnie")
    return members
