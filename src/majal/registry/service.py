"""The social registry's rules: import, scoring and decisions stored in the database, who may see a household,
corrections with their history, reviews, yearly re-verification and programme cycles.

The computation is the engines' (`scoring`, `programmes`, `evaluation`): households are read back from the database
in the import format and go through exactly the code the national batch runs.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

import numpy as np
import orjson
import polars as pl
from sqlalchemy.orm import Session

from majal.accounts import service as accounts
from majal.accounts.models import User
from majal.kit import audit, clock, crypto, outbox, ratelimit
from majal.kit.audit import utcnow
from majal.kit.errors import Conflict, Forbidden, MajalError, NotFound
from majal.kit.i18n import LANGUAGES, N_, format_moment, format_number, gettext, language
from majal.kit.security import Role, keyed_digest
from majal.registry import data, evaluation, labels, programmes, repository, scoring, synth
from majal.registry.models import CANCELLED, Cycle, Decision, Entitlement, FieldChange, Household, Member, Review, Score
from majal.registry.programmes import AsdBreakdown
from majal.territory import service as territory

IDCS_PURPOSE = "registry-idcs"
CNIE_PURPOSE = "registry-cnie"
CONTACT_PURPOSE = "registry-contact"
VERIFY_EVERY = timedelta(days=365)
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud over the phone
TRACKING_LENGTH = 12  # 60 bits: no collision in practice among millions of households
CNIE_PATTERN = re.compile(r"^[A-Z]{1,2}[0-9]{1,8}$")
PERIOD_PATTERN = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")  # fullmatch: \d and $ would take "٢٠٢٦-05\n"
LOOKUP_LIMIT, LOOKUP_WINDOW = 10, timedelta(hours=1)
REVIEW_LIMIT, REVIEW_WINDOW = 3, timedelta(days=1)
EXPLAIN = 3
CYCLE_STATUSES = ("draft", "approved", "paid")
EXTRA_HOUSEHOLD = ("address", "lat", "lon", "phone")
EXTRA_MEMBER = ("cnie", "first_name_ar", "last_name_ar", "first_name_latin", "last_name_latin")
STAFF_REGISTRY_ROLES = (Role.social_worker,)
OFFICER_ROLES = (Role.programme_officer,)

BAD_LOOKUP = N_("No household matches this tracking code and birth date.")
READ_REASON_LIMIT = 200
MOVE_REASON_LIMIT = CORRECTION_REASON_LIMIT = 2000
COMMUNE_CODE_LIMIT = 32
# C0 control characters other than tab and line breaks: never typed by a person, and NUL is refused by PostgreSQL
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- which fields may be changed, and by whom -----------------------------------------------------------------------


CORRECTORS = frozenset({Role.social_worker, Role.admin})
MOVERS = frozenset({Role.programme_officer, Role.admin})


@dataclass(frozen=True)
class FieldRule:
    """A field of a household or a member that can be changed after registration: its format, the roles that may
    change it and whether it decides who may see the household. Such a field is never corrected: it has its own
    action (the commune: `move_household`), with a reason, in the history of every commune it concerns."""

    column: data.Column
    roles: frozenset[Role] = CORRECTORS
    decides_access: bool = False


def _text_rule(name: str) -> FieldRule:
    return FieldRule(data.Column(name, "text", required=False))


# Household fields: the import format's, plus the address. The commune decides which social workers see the
# household (`check_household_access`); nothing else does (the district, region and milieu only weigh in the score).
HOUSEHOLD_FIELDS: dict[str, FieldRule] = {
    c.name: FieldRule(c, MOVERS, decides_access=True) if c.name == "commune" else FieldRule(c)
    for c in data.HOUSEHOLD_COLUMNS if c.name != "household_id"} | {"address": _text_rule("address")}
MEMBER_FIELDS: dict[str, FieldRule] = {
    c.name: FieldRule(c) for c in data.MEMBER_COLUMNS if c.name not in ("household_id", "idcs")} | {
    name: _text_rule(name) for name in ("first_name_ar", "last_name_ar", "first_name_latin", "last_name_latin")}
ACCESS_FIELDS = frozenset(name for name, rule in HOUSEHOLD_FIELDS.items() if rule.decides_access)


def correctable_fields(user: User) -> tuple[list[str], list[str]]:
    """The household and member fields `user` may change with a correction (not those with their own action)."""
    def allowed(rules: dict[str, FieldRule]) -> list[str]:
        return [name for name, rule in rules.items() if user.role in rule.roles and not rule.decides_access]

    return allowed(HOUSEHOLD_FIELDS), allowed(MEMBER_FIELDS)


def _check_may_correct(user: User, name: str, rule: FieldRule) -> None:
    """403 for a role the field does not give to; a field that decides access is changed by its own action only."""
    label = labels.field_label(name)
    if user.role not in rule.roles:
        if rule.decides_access:
            raise Forbidden(N_("%(field)s decides who may see the household: only a programme officer changes it, "
                               "by moving the household, with a reason."), where="field", field=label)
        raise Forbidden(N_("Your role may not change the field %(field)s."), where="field", field=label)
    if rule.decides_access:
        raise MajalError(N_("%(field)s decides who may see the household: move the household instead, with a "
                            "reason."), where="field", field=label)


class InvalidFields(MajalError):
    """Several fields of a form refused at once, each with its own message (shown together, each at its field)."""

    def __init__(self, problems: list[MajalError]):
        first = problems[0]
        super().__init__(first.message, where=first.where, **first.params)
        self.problems = problems

    def translated(self) -> str:
        return " ".join(problem.translated() for problem in self.problems)


class HouseholdMoved(Forbidden):
    """A household that left the caller's commune: the answer says where it went, not only that it is refused."""

    code = "household_moved"


def _reason_problem(reason: str, limit: int, missing: str) -> MajalError | None:
    if not reason:
        return MajalError(missing, where="reason")
    if len(reason) > limit:
        return MajalError(N_("Must be at most %(limit)s characters long."), where="reason", limit=limit)
    if CONTROL_CHARACTERS.search(reason):
        return MajalError(N_("The reason contains characters that cannot be stored (control characters)."),
                          where="reason")
    return None


# --- identifiers ---------------------------------------------------------------------------------------------------


def idcs_digest(secret: str, idcs: str) -> str:
    return keyed_digest(secret, f"idcs:{idcs}")


def cnie_digest(secret: str, cnie: str) -> str:
    return keyed_digest(secret, f"cnie:{cnie}")


def _unseal(secret: str, purpose: str, token: str | None) -> str | None:
    return None if token is None else crypto.unseal_text(secret, purpose, token)


def new_tracking_codes(count: int, taken: Callable[[Sequence[str]], set[str]]) -> list[str]:
    """`count` fresh, distinct codes written XXXX-XXXX-XXXX; `taken` says which already exist."""
    codes: list[str] = []
    while len(codes) < count:
        wanted = count - len(codes)
        fresh = _codes(wanted) - set(codes)
        codes.extend(fresh - taken(sorted(fresh)))
    return codes


def _codes(count: int) -> set[str]:
    # 32 symbols: the low five bits of a random byte pick one uniformly
    raw = np.frombuffer(secrets.token_bytes(count * TRACKING_LENGTH), dtype=np.uint8) & 31
    letters = np.frombuffer(TRACKING_ALPHABET.encode("ascii"), dtype=np.uint8)[raw].tobytes().decode("ascii")
    return {f"{letters[i:i + 4]}-{letters[i + 4:i + 8]}-{letters[i + 8:i + 12]}"
            for i in range(0, len(letters), TRACKING_LENGTH)}


def normalise_tracking_code(code: str) -> str:
    cleaned = re.sub(r"[^A-Z0-9]", "", code.upper())[:TRACKING_LENGTH]
    return f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:]}"


# --- import --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    households: int
    members: int
    scored: int


def import_population(db: Session, files: data.PopulationFiles, *, secret: str, actor: str,
                      as_of: date | None = None, model: scoring.Model | None = None,
                      rules: programmes.Rules | None = None, commune: str | None = None,
                      on_step: Callable[[str], None] | None = None) -> ImportResult:
    """Check a population (the import format), refuse it whole at the first bad row, else write every household and
    member and their computed score and decisions, in the caller's transaction."""
    step = on_step or (lambda _name: None)
    as_of = as_of or date.today()
    model, rules = model or scoring.default_model(), rules or programmes.default_rules()
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


# --- scores and decisions ------------------------------------------------------------------------------------------


def store_scores(db: Session, population: data.Population, version: scoring.ModelVersion, rules: programmes.Rules,
                 *, kind: str, actor: str, review_id: int | None = None) -> int:
    """Score and decide every household of `population`, and store the scores with their decisions."""
    if len(population) == 0:
        return 0
    day = population.as_of
    scores = scoring.score_population(population, version, explain=EXPLAIN)
    decisions = programmes.decide(population, scores.get_column("score"), rules, as_of=day)
    rules_in_force = {name: rules.rule_at(name, day) for name in programmes.PROGRAMMES}
    table = rules.table_at(day)
    now = utcnow()
    ids = repository.reserve_ids(db, Score, scores.height)
    drivers = [k for k in range(1, EXPLAIN + 1) if f"driver_{k}" in scores.columns]
    driver_json = scores.select(pl.concat_list([
        pl.struct(group=pl.col(f"driver_{k}").cast(pl.String), effect=pl.col(f"driver_{k}_effect"))
        for k in drivers]).alias("drivers")).get_column("drivers") if drivers else None
    score_frame = pl.DataFrame({
        "id": pl.Series(ids, dtype=pl.Int64), "household_id": scores.get_column("household_id"),
        "kind": kind, "score": scores.get_column("score"), "model_version": version.version, "as_of": day,
        "drivers": [orjson.dumps(value).decode() for value in driver_json.to_list()] if driver_json is not None
        else ["[]"] * scores.height,
        "review_id": pl.Series([review_id] * scores.height, dtype=pl.Int64), "actor": actor, "at": now,
    })
    repository.insert_frame(db, Score, score_frame)
    parts = []
    for name, rule in rules_in_force.items():
        asd = name == "asd"
        parts.append(pl.DataFrame({
            "score_id": score_frame.get_column("id"), "household_id": scores.get_column("household_id"),
            "programme": name, "eligible": decisions.get_column(f"{name}_eligible"), "rule": rule.version,
            "comparator": rule.comparator, "threshold": rule.threshold,
            "monthly_amount": decisions.get_column("asd_monthly") if asd else 0.0,
            "birth_grant": decisions.get_column("asd_birth_grant") if asd else 0.0,
            "amount_table": pl.Series([table.version if asd else None] * scores.height, dtype=pl.String),
        }))
    repository.insert_frame(db, Decision, pl.concat(parts))
    return len(ids)


def _population_of(db: Session, household_ids: Sequence[int] | None = None, commune: str | None = None,
                   as_of: date | None = None) -> data.Population:
    households, members = repository.engine_frames(db, household_ids, commune)
    return data.prepare(households, members, as_of=as_of or date.today(),
                        sources=data.Sources("registry households", "registry members"))


def rescore(db: Session, household_ids: Sequence[int], *, kind: str, actor: str, review_id: int | None = None,
            as_of: date | None = None) -> int:
    """Score registered households again from what the database holds now."""
    population = _population_of(db, household_ids, as_of=as_of)
    version = scoring.default_model().at(population.as_of)
    return store_scores(db, population, version, programmes.default_rules(), kind=kind, actor=actor,
                        review_id=review_id)


# --- who may see a household ---------------------------------------------------------------------------------------


def may_see_households(user: User) -> bool:
    return user.role == Role.admin or user.role in STAFF_REGISTRY_ROLES


def check_household_access(user: User, household: Household) -> None:
    """Admins see every household; a social worker only those of their own commune."""
    if user.role == Role.admin:
        return
    if user.role in STAFF_REGISTRY_ROLES and user.commune_code and user.commune_code == household.commune:
        return
    raise Forbidden(N_("This household is not in your commune."))


def check_registry_staff(user: User) -> None:
    if not may_see_households(user):
        raise Forbidden(N_("Your role does not give access to this page."))


def check_calculator(user: User) -> None:
    """The entitlement calculator is for the registry's staff: social workers and programme officers."""
    if not may_see_households(user) and user.role not in OFFICER_ROLES:
        raise Forbidden(N_("Your role does not give access to this page."))


def check_officer(user: User) -> None:
    if user.role != Role.admin and user.role not in OFFICER_ROLES:
        raise Forbidden(N_("Your role does not give access to this page."))


def check_household_exists(db: Session, household_id: int) -> None:
    if repository.household(db, household_id) is None:
        raise NotFound(N_("No household has this number."))


def household_for(db: Session, user: User, household_id: int) -> Household:
    """The household, if the user may work on it (a social worker of its commune, or an admin)."""
    check_registry_staff(user)
    found = repository.household(db, household_id)
    if found is None:
        raise NotFound(N_("No household has this number."))
    try:
        check_household_access(user, found)
    except Forbidden:
        left = _move_out_of(db, user, found.id)
        if left is None:
            raise
        raise HouseholdMoved(N_("This household moved from your commune to the commune %(commune)s on %(day)s: its "
                                "file is with that commune's social workers now."),
                             commune=found.commune or "—", day=format_moment(left.at)) from None
    return found


def _move_out_of(db: Session, user: User, household_id: int) -> FieldChange | None:
    """The latest move of the household out of the user's commune, if they are a social worker of such a commune."""
    if user.role not in STAFF_REGISTRY_ROLES or not user.commune_code:
        return None
    return next((m for m in repository.commune_moves(db, household_id) if m.old_value == user.commune_code), None)


# --- one household -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberView:
    id: int
    position: int
    idcs: str | None
    cnie: str | None
    names_ar: str
    names_latin: str
    sex: str
    birth_date: date
    age: int
    relation: str
    education: str
    diploma: bool
    schooling: str
    occupation: str
    disability: bool
    marital_status: str
    pension: bool


@dataclass(frozen=True)
class ProgrammeView:
    programme: str
    eligible: bool
    rule: str
    comparator: str
    threshold: float
    monthly_amount: float
    birth_grant: float
    margin: float  # threshold − score: how far below (positive) or above (negative) the threshold the score is


@dataclass(frozen=True)
class HouseholdView:
    household: Household
    members: list[MemberView]
    computed: Score | None
    corrected: Score | None
    in_force: Score | None
    eligibility: list[ProgrammeView]
    asd: AsdBreakdown | None
    reviews: list[Review]
    changes: list[FieldChange]
    verification_due: datetime
    overdue: bool
    scores: list[Score] = field(default_factory=list)


def household_view(db: Session, user: User, household_id: int, *, secret: str, reason: str,
                   identifiers: bool = True, ip: str | None = None) -> HouseholdView:
    """A household as a social worker sees it (with its members' identifiers opened when `identifiers`); the read
    is audit-logged with its reason."""
    found = household_for(db, user, household_id)
    reason = reason.strip()
    problem = _reason_problem(reason, READ_REASON_LIMIT,
                              N_("Say why you need the identifiers: the access is recorded."))
    if problem is not None and (identifiers or reason):
        raise problem
    audit.record(db, user.username, "registry.household.read", "household", found.id,
                 {"reason": reason, "identifiers": identifiers}, ip=ip)
    return _view(db, found, secret=secret, identifiers=identifiers)


def _view(db: Session, found: Household, *, secret: str, identifiers: bool) -> HouseholdView:
    today = date.today()
    members = [_member_view(member, today, secret if identifiers else None) for member in found.members]
    latest = repository.latest_scores(db, found.id)
    computed, corrected = latest.get("computed"), latest.get("corrected")
    in_force = max((s for s in (computed, corrected) if s is not None), key=lambda s: s.id, default=None)
    views = [] if in_force is None else [
        ProgrammeView(d.programme, d.eligible, d.rule, d.comparator, d.threshold, d.monthly_amount, d.birth_grant,
                      d.threshold - in_force.score) for d in in_force.decisions]
    asd = _asd_breakdown(db, found.id, in_force)
    verified = found.verified_at if found.verified_at.tzinfo else found.verified_at.replace(tzinfo=UTC)
    due = verified + VERIFY_EVERY
    return HouseholdView(found, members, computed, corrected, in_force, views, asd, repository.reviews(db, found.id),
                         repository.changes(db, found.id), due, due <= utcnow(),
                         repository.score_history(db, found.id))


def _member_view(member: Member, today: date, secret: str | None) -> MemberView:
    age = today.year - member.birth_date.year - ((today.month, today.day) < (member.birth_date.month,
                                                                             member.birth_date.day))
    return MemberView(
        member.id, member.position,
        _unseal(secret, IDCS_PURPOSE, member.idcs_sealed) if secret else None,
        _unseal(secret, CNIE_PURPOSE, member.cnie_sealed) if secret else None,
        f"{member.first_name_ar} {member.last_name_ar}".strip(),
        f"{member.first_name_latin} {member.last_name_latin}".strip(),
        member.sex, member.birth_date, age, member.relation, member.education, member.diploma, member.schooling,
        member.occupation, member.disability, member.marital_status, member.pension)


def _asd_breakdown(db: Session, household_id: int, in_force: Score | None) -> AsdBreakdown | None:
    """How the ASD amount of the score in force is made, line by line (the calculator's own breakdown)."""
    if in_force is None:
        return None
    asd = next((d for d in in_force.decisions if d.programme == "asd"), None)
    if asd is None:
        return None
    try:
        population = _population_of(db, [household_id], as_of=in_force.as_of)
        table = programmes.default_rules().table_at(in_force.as_of)
    except MajalError:
        return None
    return programmes.breakdown(population, household_id, table, eligible=asd.eligible)


# --- corrections, verification and reviews -------------------------------------------------------------------------


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:400]


def _convert(column: data.Column, value: str) -> Any:
    frame = data.coerce(pl.DataFrame({column.name: [value]}, schema={column.name: pl.String}), [column], "value")
    converted = frame.get_column(column.name)[0]
    if column.kind == "text":
        converted = (converted or "").strip()
        limit = 400 if column.name == "address" else 100
        if len(converted) > limit:
            raise MajalError(N_("Must be at most %(limit)s characters long."), where=column.name, limit=limit)
        if CONTROL_CHARACTERS.search(converted):
            raise MajalError(N_("The value contains characters that cannot be stored (control characters)."),
                             where=column.name)
    if column.kind == "date" and converted is not None and converted > date.today():
        raise MajalError(N_("The birth date %(value)s is after the reference date %(as_of)s."), where=column.name,
                         value=converted.isoformat(), as_of=date.today().isoformat())
    return converted


def correct(db: Session, user: User, household_id: int, *, field_name: str, value: str, reason: str,
            member_id: int | None = None, review_id: int | None = None, ip: str | None = None) -> Score:
    """Change one field of a household or of one of its members, keep the change in the history, and rescore the
    household (a `corrected` score beside the computed one). Refused whole if the household would no longer be valid
    (for example no head)."""
    found = household_for(db, user, household_id)
    rule = (HOUSEHOLD_FIELDS if member_id is None else MEMBER_FIELDS).get(field_name)
    if rule is None:
        raise MajalError(N_("This field cannot be corrected."), where="field")
    _check_may_correct(user, field_name, rule)
    reason = reason.strip()
    problem = _reason_problem(reason, CORRECTION_REASON_LIMIT, N_("Say why the data is corrected."))
    if problem is not None:
        raise problem
    review = _open_review_of(db, found, review_id) if review_id is not None else None
    target: Household | Member = found
    if member_id is not None:
        member = next((m for m in found.members if m.id == member_id), None)
        if member is None:
            raise NotFound(N_("This person is not a member of this household."), where="member_id")
        target = member
    new = _convert(rule.column, value)
    old = getattr(target, field_name)
    if _shown(old) == _shown(new):
        raise MajalError(N_("The new value is the same as the old one."), where="value")
    setattr(target, field_name, new)
    db.add(FieldChange(household_id=found.id, member_id=member_id, review_id=review.id if review else None,
                       field=field_name, old_value=_shown(old), new_value=_shown(new), actor=user.username,
                       reason=reason[:2000]))
    db.flush()
    audit.record(db, user.username, "registry.household.correct", "household", found.id,
                 {"field": field_name, "member_id": member_id, "review_id": review_id}, ip=ip)
    rescore(db, [found.id], kind="corrected", actor=user.username, review_id=review.id if review else None)
    latest = repository.latest_scores(db, found.id)["corrected"]
    return latest


def latest_change(db: Session, household_id: int) -> FieldChange:
    """The household's last history entry (the correction just made)."""
    return repository.changes(db, household_id)[0]


def verify(db: Session, user: User, household_id: int, note: str = "", ip: str | None = None) -> Household:
    """The yearly re-verification: the data was checked with the household; its score is computed again today."""
    found = household_for(db, user, household_id)
    now = utcnow()
    db.add(FieldChange(household_id=found.id, field="verified_at", old_value=_shown(found.verified_at),
                       new_value=_shown(now), actor=user.username,
                       reason=note.strip()[:2000] or gettext(N_("Yearly verification"))))
    found.verified_at = now
    db.flush()
    audit.record(db, user.username, "registry.household.verify", "household", found.id, ip=ip)
    rescore(db, [found.id], kind="computed", actor=user.username)
    return found


# --- moving a household to another commune ------------------------------------------------------------------------


def known_communes(db: Session) -> list[str]:
    """The communes a household may move to: the territory's, those with registered households, and those of
    social workers' accounts (a commune whose workers would see the household)."""
    communes = set(repository.household_communes(db))
    current = territory.overview(db).commune
    if current is not None:
        communes.add(current.code)
    communes.update(u.commune_code for u in accounts.list_users(db)
                    if u.role == Role.social_worker and u.is_active and u.commune_code)
    return sorted(communes)


def _known_commune(db: Session, given: str) -> str | MajalError:
    """The commune's code as the registry writes it (matched ignoring case), or why it is refused."""
    given = given.strip()
    if not given:
        return MajalError(N_("Choose the commune the household moves to."), where="commune")
    if len(given) <= COMMUNE_CODE_LIMIT and not CONTROL_CHARACTERS.search(given):
        found = next((code for code in known_communes(db) if code.casefold() == given.casefold()), None)
        if found is not None:
            return found
    return MajalError(N_("No commune has the code “%(value)s”."), where="commune", value=given[:COMMUNE_CODE_LIMIT])


def move_household(db: Session, user: User, household_id: int, *, commune: str, reason: str,
                   ip: str | None = None) -> FieldChange:
    """A programme officer (or an admin) moves a household to another commune, with a reason: from then on the new
    commune's social workers see it, and the old commune's workers are told where it went. The move (and the
    district, which belonged to the old commune, cleared) is in the household's history, in one transaction with
    its audit event."""
    check_officer(user)
    found = repository.household(db, household_id)
    if found is None:
        raise NotFound(N_("No household has this number."))
    known = _known_commune(db, commune)
    target = known if isinstance(known, str) else ""
    problems = [known] if isinstance(known, MajalError) else []
    if target and target == found.commune:
        problems.append(MajalError(N_("The household is already in the commune %(commune)s."), where="commune",
                                   commune=target))
    reason = reason.strip()
    reason_problem = _reason_problem(reason, MOVE_REASON_LIMIT, N_("Say why the household moves."))
    if reason_problem is not None:
        problems.append(reason_problem)
    if problems:
        raise InvalidFields(problems)
    old, now = found.commune, utcnow()
    move = FieldChange(household_id=found.id, field="commune", old_value=old, new_value=target,
                       actor=user.username, reason=reason, at=now)
    db.add(move)
    if found.district is not None:
        db.add(FieldChange(household_id=found.id, field="district", old_value=found.district, new_value=None,
                           actor=user.username, reason=reason, at=now))
    found.commune, found.district = target, None
    db.flush()
    audit.record(db, user.username, "registry.household.move", "household", found.id,
                 {"from": old, "to": target}, ip=ip)
    return move


@dataclass(frozen=True)
class Moves:
    household_id: int
    commune: str | None  # where the household is now
    district: str | None
    moves: list[FieldChange]  # newest first


def household_moves(db: Session, user: User, household_id: int, ip: str | None = None) -> Moves:
    """Where a household is and the communes it moved between, for officers and admins, and for the social
    workers of its commune or of a commune it left or joined: both sides of a move read it. The read is
    audit-logged (it says where a household lives)."""
    found = repository.household(db, household_id)
    if found is None:
        raise NotFound(N_("No household has this number."))
    moves = repository.commune_moves(db, found.id)
    if user.role != Role.admin and user.role not in OFFICER_ROLES:
        check_registry_staff(user)
        concerned = {found.commune} | {m.old_value for m in moves} | {m.new_value for m in moves}
        if not user.commune_code or user.commune_code not in concerned:
            raise Forbidden(N_("This household is not in your commune."))
    audit.record(db, user.username, "registry.household.moves.read", "household", found.id, ip=ip)
    return Moves(found.id, found.commune, found.district, moves)


@dataclass(frozen=True)
class DueList:
    rows: list[tuple[int, str | None, datetime]]
    total: int


def due_for_verification(db: Session, user: User, limit: int = 50) -> DueList:
    """Households of the worker's commune not verified for a year, oldest first."""
    check_registry_staff(user)
    commune = None if user.role == Role.admin else user.commune_code or ""
    rows, total = repository.due_for_verification(db, commune, utcnow() - VERIFY_EVERY, limit)
    return DueList(rows, total)


def open_reviews(db: Session, user: User) -> list[Review]:
    check_registry_staff(user)
    return repository.open_reviews(db, None if user.role == Role.admin else user.commune_code or "")


def _open_review_of(db: Session, found: Household, review_id: int) -> Review:
    review = repository.review(db, review_id)
    if review is None or review.household_id != found.id:
        raise NotFound(N_("No review of this household has this number."), where="review_id")
    if review.status != "open":
        raise Conflict(N_("This review is already closed."), where="review_id")
    return review


def review_for(db: Session, user: User, review_id: int) -> Review:
    review = repository.review(db, review_id)
    if review is None:
        raise NotFound(N_("No review has this number."))
    household_for(db, user, review.household_id)
    return review


def household_count(db: Session, commune: str | None = None) -> int:
    return repository.household_count(db, commune)


def open_review_by_staff(db: Session, user: User, household_id: int, reason: str, ip: str | None = None) -> Review:
    found = household_for(db, user, household_id)
    return _new_review(db, found, user.username, reason, None, ip)


def _new_review(db: Session, found: Household, actor: str, reason: str, contact: str | None,
                ip: str | None) -> Review:
    reason = reason.strip()
    if not reason:
        raise MajalError(N_("Say what should be reviewed."), where="reason")
    if len(reason) > 2000:
        raise MajalError(N_("Must be at most %(limit)s characters long."), where="reason", limit=2000)
    if any(r.status == "open" for r in repository.reviews(db, found.id)):
        raise Conflict(N_("A review of this household is already open."))
    review = Review(household_id=found.id, status="open", opened_by=actor, reason=reason, contact_sealed=contact)
    db.add(review)
    db.flush()
    db.add(FieldChange(household_id=found.id, review_id=review.id, field="review", old_value=None,
                       new_value="open", actor=actor, reason=reason))
    audit.record(db, actor, "registry.review.open", "review", review.id, {"household": found.id}, ip=ip)
    return review


def close_review(db: Session, user: User, review_id: int, outcome: str, *, secret: str,
                 default_language: str = "fr", ip: str | None = None) -> Review:
    """Close a review with its outcome, and tell the household (its index now, and what it is eligible for)."""
    review = repository.review(db, review_id)
    if review is None:
        raise NotFound(N_("No review has this number."))
    found = household_for(db, user, review.household_id)
    if review.status != "open":
        raise Conflict(N_("This review is already closed."))
    outcome = outcome.strip()
    if not outcome:
        raise MajalError(N_("Write the outcome of the review for the household."), where="outcome")
    review.status, review.outcome = "closed", outcome[:2000]
    review.closed_by, review.closed_at = user.username, utcnow()
    db.add(FieldChange(household_id=found.id, review_id=review.id, field="review", old_value="open",
                       new_value="closed", actor=user.username, reason=review.outcome))
    audit.record(db, user.username, "registry.review.close", "review", review.id, {"household": found.id}, ip=ip)
    _notify(db, secret, found, review, default_language)
    return review


REVIEW_SUBJECT = N_("Your index review %(code)s is closed")
REVIEW_SMS = N_("Index review %(code)s closed. %(outcome)s Index: %(score)s. %(programmes)s")
REVIEW_BODY = N_("Hello,\n\nThe review of your household's socio-economic index (%(code)s) is closed.\n\n"
                 "Outcome: %(outcome)s\nIndex now: %(score)s\n%(programmes)s\n\n"
                 "You can see your household's status at any time with its tracking code.")
ELIGIBLE_LINE = N_("%(programme)s: eligible")
NOT_ELIGIBLE_LINE = N_("%(programme)s: not eligible")


def _notify(db: Session, secret: str, found: Household, review: Review, default_language: str) -> int:
    sealed = review.contact_sealed or found.contact_sealed
    if not sealed:
        return 0
    contact = crypto.unseal(secret, CONTACT_PURPOSE, sealed)
    lang = contact.get("lang") if contact.get("lang") in LANGUAGES else default_language
    latest = repository.latest_scores(db, found.id)
    in_force = max(latest.values(), key=lambda s: s.id, default=None)
    queued = 0
    with language(str(lang)):
        lines = [] if in_force is None else [
            gettext(ELIGIBLE_LINE if d.eligible else NOT_ELIGIBLE_LINE,
                    programme=gettext(labels.PROGRAMME_NAMES[d.programme]))
            for d in in_force.decisions]
        params = {"code": found.tracking_code, "outcome": review.outcome,
                  "score": f"{in_force.score:.4f}" if in_force else "—"}
        if contact.get("email"):
            outbox.enqueue(db, secret, "email", str(contact["email"]), gettext(REVIEW_SUBJECT, **params),
                           gettext(REVIEW_BODY, programmes="\n".join(lines), **params) + "\n",
                           f"registry_review:{review.id}")
            queued += 1
        if contact.get("phone"):
            text = gettext(REVIEW_SMS, programmes="; ".join(lines), **params)
            outbox.enqueue(db, secret, "sms", str(contact["phone"]), "", text[:320], f"registry_review:{review.id}")
            queued += 1
    return queued


# --- what a household may see --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CitizenStatus:
    tracking_code: str
    district: str | None
    members: list[tuple[str, str, int]]  # relation, sex, age: no identifier, no name
    score: float | None
    eligibility: list[ProgrammeView]
    asd: AsdBreakdown | None
    reviews: list[Review]
    verified_at: datetime


def _find_by_code_and_birth(db: Session, secret: str, code: str, birth_date: str, client: str) -> Household:
    """The household whose tracking code and one member's birth date match. Every attempt counts against the
    caller's limit, so that codes cannot be guessed; a refusal never says which of the two was wrong."""
    ratelimit.check(db, secret, "registry-lookup", client, LOOKUP_LIMIT, LOOKUP_WINDOW)
    ratelimit.record(db, secret, "registry-lookup", client, LOOKUP_WINDOW)
    try:
        born = date.fromisoformat(birth_date.strip())
    except ValueError:
        raise MajalError(N_("Enter a date as YYYY-MM-DD."), where="birth_date") from None
    found = repository.household_by_tracking_code(db, normalise_tracking_code(code))
    if found is None or all(member.birth_date != born for member in found.members):
        raise NotFound(BAD_LOOKUP)
    return found


def citizen_status(db: Session, secret: str, code: str, birth_date: str, client: str) -> CitizenStatus:
    found = _find_by_code_and_birth(db, secret, code, birth_date, client)
    audit.record(db, "household", "registry.household.status", "household", found.id,
                 {"reason": "the household reads its own status"})
    view = _view(db, found, secret=secret, identifiers=False)
    return CitizenStatus(found.tracking_code, found.district, [(m.relation, m.sex, m.age) for m in view.members],
                         view.in_force.score if view.in_force else None, view.eligibility, view.asd, view.reviews,
                         found.verified_at)


def open_review_by_household(db: Session, secret: str, code: str, birth_date: str, reason: str, client: str, *,
                             email: str = "", phone: str = "", lang: str = "") -> Review:
    found = _find_by_code_and_birth(db, secret, code, birth_date, client)
    ratelimit.check(db, secret, "registry-review", client, REVIEW_LIMIT, REVIEW_WINDOW)
    contact = _contact(email, phone, lang)
    review = _new_review(db, found, "household", reason,
                         crypto.seal(secret, CONTACT_PURPOSE, contact) if contact else None, None)
    ratelimit.record(db, secret, "registry-review", client, REVIEW_WINDOW)
    return review


EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,}$")
PHONE = re.compile(r"^\+?[0-9 ]{8,20}$")


def _contact(email: str, phone: str, lang: str) -> dict[str, str]:
    email, phone = email.strip(), phone.strip()
    if email and not EMAIL.match(email):
        raise MajalError(N_("The email address is not valid."), where="email")
    if phone and not PHONE.match(phone):
        raise MajalError(N_("The phone number is not valid."), where="phone")
    contact = {key: value for key, value in (("email", email), ("phone", phone)) if value}
    if contact:
        contact["lang"] = lang if lang in LANGUAGES else ""
    return contact


# --- programme cycles ----------------------------------------------------------------------------------------------


def period_reference_date(period: str) -> date:
    """The last day of the period's month: ages, amounts and rules of the cycle are those of that day."""
    match = PERIOD_PATTERN.fullmatch(period)
    if not match:
        raise MajalError(N_("Enter a month as YYYY-MM."), where="period")
    first = clock.check_month(int(match.group(1)), int(match.group(2)), "period", months_ahead=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)


def create_cycle(db: Session, user: User, programme: str, period: str, *, commune: str | None = None,
                 model: scoring.Model | None = None, rules: programmes.Rules | None = None) -> Cycle:
    """Draw a draft cycle: every registered household (of `commune`, if given) scored and decided on the period's
    reference date, and the eligible ones frozen with their amount, the model version and the rule."""
    check_officer(user)
    if programme not in programmes.PROGRAMMES:
        raise MajalError(N_("Unknown value “%(value)s”; expected one of: %(expected)s."), where="programme",
                         value=programme[:40], expected=", ".join(programmes.PROGRAMMES))
    as_of = period_reference_date(period)
    if repository.cycle_by_period(db, programme, period) is not None:
        raise Conflict(N_("A cycle of this programme already exists for %(period)s."), where="period", period=period)
    latest = repository.latest_cycle(db, programme)
    if latest is not None and latest.period > period:
        raise Conflict(N_("Cycles are drawn in order: the cycle of %(period)s already exists."), where="period",
                       period=latest.period)
    model, rules = model or scoring.default_model(), rules or programmes.default_rules()
    version, rule = model.at(as_of), rules.rule_at(programme, as_of)
    table = rules.table_at(as_of) if programme == "asd" else None
    population = _population_of(db, commune=commune, as_of=as_of)
    rows: list[dict[str, Any]] = []
    if len(population):
        scores = scoring.score_population(population, version, explain=0)
        decisions = programmes.decide(population, scores.get_column("score"), rules, as_of=as_of)
        chosen = pl.concat([scores.select("household_id", "score"), decisions], how="horizontal").filter(
            pl.col(f"{programme}_eligible"))
        asd = programme == "asd"
        rows = [{"household_id": r["household_id"], "score": r["score"],
                 "monthly_amount": float(r["asd_monthly"]) if asd else 0.0,
                 "birth_grant": float(r["asd_birth_grant"]) if asd else 0.0} for r in chosen.iter_rows(named=True)]
    cycle = Cycle(programme=programme, period=period, commune=commune, status="draft", as_of=as_of,
                  model_version=version.version, rule=rule.version, comparator=rule.comparator,
                  threshold=rule.threshold, amount_table=table.version if table else None, beneficiaries=len(rows),
                  total_amount=round(sum(r["monthly_amount"] + r["birth_grant"] for r in rows), 2),
                  created_by=user.username)
    db.add(cycle)
    db.flush()
    repository.insert_frame(db, Entitlement, pl.DataFrame(
        rows, schema={"household_id": pl.Int64, "score": pl.Float64, "monthly_amount": pl.Float64,
                      "birth_grant": pl.Float64}).with_columns(cycle_id=pl.lit(cycle.id)))
    audit.record(db, user.username, "registry.cycle.create", "cycle", cycle.id,
                 {"programme": programme, "period": period, "beneficiaries": len(rows)})
    return cycle


def advance_cycle(db: Session, user: User, cycle_id: int, to: str) -> Cycle:
    """draft → approved → paid, one step at a time, and a cycle only after every earlier cycle of its programme
    has taken that step (no entitlement is approved or paid before those of the cycles before it)."""
    check_officer(user)
    cycle = repository.cycle(db, cycle_id)
    if cycle is None:
        raise NotFound(N_("No cycle has this number."))
    if to not in CYCLE_STATUSES[1:]:
        raise MajalError(N_("Unknown value “%(value)s”; expected one of: %(expected)s."), where="status",
                         value=to[:20], expected=", ".join(CYCLE_STATUSES[1:]))
    if cycle.status == CANCELLED:
        raise Conflict(N_("This cycle was cancelled: it cannot be approved or paid."), where="status")
    if CYCLE_STATUSES.index(to) != CYCLE_STATUSES.index(cycle.status) + 1:
        raise Conflict(N_("A cycle moves from draft to approved to paid, one step at a time; this one is %(status)s."),
                       where="status", status=cycle.status)
    behind = [c for c in repository.earlier_cycles(db, cycle.programme, cycle.period)
              if CYCLE_STATUSES.index(c.status) < CYCLE_STATUSES.index(to)]
    if behind:
        raise Conflict(N_("The earlier cycle of %(period)s is still %(status)s: it must go first."), where="status",
                       period=behind[0].period, status=behind[0].status)
    now = utcnow()
    if to == "approved":
        cycle.approved_by, cycle.approved_at = user.username, now
    else:
        cycle.paid_by, cycle.paid_at = user.username, now
    cycle.status = to
    audit.record(db, user.username, f"registry.cycle.{to}", "cycle", cycle.id)
    return cycle


def cancel_cycle(db: Session, user: User, cycle_id: int, reason: str) -> Cycle:
    """Cancel a draft (drawn for the wrong commune or month, say): its entitlements go, the cycle stays in the list
    as cancelled, and its period may be drawn again. Approved and paid cycles are history and stay."""
    check_officer(user)
    cycle = repository.cycle(db, cycle_id)
    if cycle is None:
        raise NotFound(N_("No cycle has this number."))
    if cycle.status != "draft":
        raise Conflict(N_("Only a draft cycle can be cancelled; this one is %(status)s."), where="status",
                       status=cycle.status)
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise MajalError(N_("Give the reason in at most %(limit)s characters."), where="reason", limit=500)
    repository.delete_entitlements(db, cycle.id)
    cycle.status = CANCELLED
    audit.record(db, user.username, "registry.cycle.cancel", "cycle", cycle.id,
                 {"programme": cycle.programme, "period": cycle.period, "reason": reason})
    return cycle


def cycles(db: Session, user: User) -> list[Cycle]:
    check_officer(user)
    return repository.cycles(db)


# --- one household's entitlement, from its data alone ---------------------------------------------------------------


def entitlement(household: dict[str, Any], members: list[dict[str, Any]], day: date, *,
                model: scoring.Model | None = None, rules: programmes.Rules | None = None,
                sources: data.Sources | None = None) -> tuple[dict[str, Any], programmes.AsdBreakdown]:
    """Score one household given in the import format (JSON records), decide each programme and break its ASD amount
    down line by line. Nothing is read from or written to the registry."""
    model, rules = model or scoring.default_model(), rules or programmes.default_rules()
    members = [{"household_id": household.get("household_id"), **member} for member in members]
    version = model.at(day)
    population = data.prepare(data.records_frame([household], data.HOUSEHOLD_COLUMNS),
                              data.records_frame(members, data.MEMBER_COLUMNS), as_of=day,
                              sources=sources or data.Sources("household", "members"))
    scores = scoring.score_population(population, version, explain=EXPLAIN)
    decisions = programmes.decide(population, scores.get_column("score"), rules, as_of=day)
    household_id = int(population.households.get_column("household_id")[0])
    detail = programmes.breakdown(population, household_id, rules.table_at(day),
                                  eligible=bool(decisions.get_column("asd_eligible")[0]))
    return scores.row(0, named=True) | decisions.row(0, named=True), detail


def entitlement_json(row: dict[str, Any], detail: programmes.AsdBreakdown, day: date) -> dict[str, Any]:
    return {
        "household_id": row["household_id"], "reference_date": day.isoformat(), "score": row["score"],
        "model_version": row["model_version"],
        "drivers": [{"group": row[f"driver_{k}"], "effect": row[f"driver_{k}_effect"]} for k in range(1, 4)
                    if f"driver_{k}" in row],
        "programmes": {p: {"eligible": row[f"{p}_eligible"], "rule": row[f"{p}_rule"]}
                       for p in programmes.PROGRAMMES},
        "asd": {
            "table": detail.table, "eligible": detail.eligible, "widow_without_pension": detail.widow,
            "children": [line.__dict__ for line in detail.children], "children_total": detail.children_total,
            "floor_applied": detail.floor_applied, "monthly": detail.monthly, "birth_grant": detail.birth_grant,
        },
    }


# --- targeting evaluation ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Targeting:
    programme: str
    rule: programmes.EligibilityRule
    model_version: str
    report: evaluation.TargetingReport
    survey_households: int


SURVEY_HOUSEHOLDS = 20_000


@cache
def _survey_scores(households: int, seed: int) -> tuple[np.ndarray, np.ndarray, date]:
    survey = synth.generate(households, seed)
    version = scoring.default_model().at(survey.population.as_of)
    scores = scoring.score_population(survey.population, version, explain=0).get_column("score").to_numpy()
    consumption = data.align_consumption(survey.population, survey.consumption)
    return scores, consumption, survey.population.as_of


def targeting(user: User, programme: str, threshold: float | None = None) -> Targeting:
    """How well the model and the programme's threshold (or a threshold to try) reach the poor of the demo survey:
    exclusion and inclusion errors, coverage by decile, AUC."""
    check_officer(user)
    if programme not in programmes.PROGRAMMES:
        raise MajalError(N_("Unknown value “%(value)s”; expected one of: %(expected)s."), where="programme",
                         value=programme[:40], expected=", ".join(programmes.PROGRAMMES))
    scores, consumption, as_of = _survey_scores(SURVEY_HOUSEHOLDS, synth.DEMO_SEED)
    rule = programmes.default_rules().rule_at(programme, max(as_of, date.today()))
    chosen = rule.threshold if threshold is None else threshold
    report = evaluation.evaluate(scores, consumption, threshold=chosen, comparator=rule.comparator,
                                 label=rule.version)
    return Targeting(programme, rule, scoring.default_model().at(as_of).version, report, len(scores))


def group_label(group: str) -> str:
    return gettext(scoring.GROUP_LABELS.get(group, group))


def money(value: float) -> str:
    return format_number(value)
