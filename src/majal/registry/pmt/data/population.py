"""The population the engines read: households and members checked together, sorted, with each household's member
offsets and head (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from majal.kit.i18n import N_
from majal.registry.pmt.data.checks import coerce, first_true
from majal.registry.pmt.data.columns import EARLIEST_BIRTH_DATE, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS
from majal.registry.pmt.data.errors import (
    DuplicateHousehold,
    DuplicateMember,
    FutureBirthDate,
    HeadOfHouseholdError,
    InvalidValue,
    UnknownHousehold,
)


@dataclass(frozen=True)
class Sources:
    """How the tables are named in error messages (file names when read from files)."""

    households: str = "households"
    members: str = "members"
    consumption: str = "consumption"


@dataclass(frozen=True, eq=False)
class Population:
    """Checked households and members; see the package docstring (`majal.registry.pmt.data`)."""

    households: pl.DataFrame  # HOUSEHOLD_COLUMNS, sorted by household_id
    members: pl.DataFrame  # MEMBER_COLUMNS + age (Int16), sorted by household_id
    starts: np.ndarray  # starts[i] = first member row of household i; every household has at least one member
    heads: np.ndarray  # heads[i] = member row of the head of household i
    as_of: date

    def __len__(self) -> int:
        return self.households.height

    def sum_by_household(self, values: np.ndarray) -> np.ndarray:
        """Per-household sums of a member-level numeric array (one value per member row)."""
        if values.dtype == np.bool_:
            values = values.astype(np.int32)
        return np.add.reduceat(values, self.starts) if len(values) else np.zeros(0, values.dtype)

def age_expression(as_of: date, birth_date: str = "birth_date") -> pl.Expr:
    """Full years at `as_of` (someone born on 29 February has a birthday on 1 March in common years)."""
    born = pl.col(birth_date)
    later_in_year = (born.dt.month().cast(pl.Int32) * 100 + born.dt.day().cast(pl.Int32)) > (
        as_of.month * 100 + as_of.day
    )
    return (as_of.year - born.dt.year().cast(pl.Int32) - later_in_year.cast(pl.Int32)).cast(pl.Int16)


def _sort_order(ids: np.ndarray) -> np.ndarray | None:
    """A stable order sorting `ids`, or None when they are sorted already."""
    if len(ids) < 2 or bool(np.all(ids[1:] >= ids[:-1])):
        return None
    return np.argsort(ids, kind="stable")


def _row(order: np.ndarray | None, position: int) -> int:
    """The 1-based row, in the table as given, of the record now at `position`."""
    return (int(order[position]) if order is not None else position) + 1


def prepare(
    households: pl.DataFrame, members: pl.DataFrame, *, as_of: date, sources: Sources | None = None
) -> Population:
    """Check the tables (see the package docstring (`majal.registry.pmt.data`)) and prepare them for the engines."""
    sources = sources or Sources()
    hh = coerce(households, HOUSEHOLD_COLUMNS, sources.households)
    mm = coerce(members, MEMBER_COLUMNS, sources.members)

    future = first_true(mm.get_column("birth_date") > as_of)
    if future is not None:
        raise FutureBirthDate(N_("The birth date %(value)s is after the reference date %(as_of)s."),
                              source=sources.members, row=future + 1, field="birth_date",
                              value=str(mm.get_column("birth_date")[future]), as_of=as_of.isoformat())
    ancient = first_true(mm.get_column("birth_date") < EARLIEST_BIRTH_DATE)
    if ancient is not None:
        raise InvalidValue(N_("The birth date %(value)s is before %(earliest)s."), source=sources.members,
                           row=ancient + 1, field="birth_date", value=str(mm.get_column("birth_date")[ancient]),
                           earliest=EARLIEST_BIRTH_DATE.isoformat())

    hh_ids = hh.get_column("household_id").to_numpy()
    hh_order = _sort_order(hh_ids)
    if hh_order is not None:
        hh_ids = hh_ids[hh_order]
    repeated = np.flatnonzero(hh_ids[1:] == hh_ids[:-1])
    if len(repeated):
        k = int(repeated[0])
        first, second = sorted((_row(hh_order, k), _row(hh_order, k + 1)))
        raise DuplicateHousehold(N_("Household %(household)s is already listed at row %(other_row)s."),
                                 source=sources.households, row=second, field="household_id",
                                 household=int(hh_ids[k]), other_row=first)

    _check_unique_members(mm, sources)

    m_ids = mm.get_column("household_id").to_numpy()
    m_order = _sort_order(m_ids)
    if m_order is not None:
        m_ids = m_ids[m_order]
    if len(m_ids):
        starts = np.concatenate(([0], np.flatnonzero(m_ids[1:] != m_ids[:-1]) + 1)).astype(np.int64)
    else:
        starts = np.zeros(0, np.int64)
    present = m_ids[starts]
    if len(present) != len(hh_ids) or not np.array_equal(present, hh_ids):
        _explain_membership(hh_ids, hh_order, present, starts, m_order, sources)

    if hh_order is not None:
        hh = hh[hh_order]
    if m_order is not None:
        mm = mm[m_order]
    is_head = (mm.get_column("relation") == "head").to_numpy()
    if not np.array_equal(m_ids[is_head], hh_ids):  # one head per household, in order: else say which is wrong
        heads = np.add.reduceat(is_head.astype(np.int32), starts)
        wrong = np.flatnonzero(heads != 1)
        i = int(wrong[0])
        count = int(heads[i])
        message = (N_("Household %(household)s has no head (no member whose relation is “head”).") if count == 0
                   else N_("Household %(household)s has %(count)s heads; it must have exactly one."))
        raise HeadOfHouseholdError(message, source=sources.households, row=_row(hh_order, i), field="household_id",
                                   household=int(hh_ids[i]), count=count)
    mm = mm.with_columns(age=age_expression(as_of))
    return Population(households=hh, members=mm, starts=starts, heads=np.flatnonzero(is_head), as_of=as_of)


def _check_unique_members(members: pl.DataFrame, sources: Sources) -> None:
    """An IDCS may appear once in the whole population (a person lives in one household)."""
    if members.height < 2:
        return
    idcs = members.get_column("idcs").cast(pl.Int64).to_numpy()
    ordered = np.sort(idcs)
    if not bool(np.any(ordered[1:] == ordered[:-1])):
        return
    order = np.argsort(idcs, kind="stable")
    k = int(np.flatnonzero(idcs[order][1:] == idcs[order][:-1])[0])
    first, second = int(order[k]), int(order[k + 1])
    households = members.get_column("household_id")
    if households[first] == households[second]:
        raise DuplicateMember(N_("This IDCS is already listed in the same household, at row %(other_row)s."),
                              source=sources.members, row=second + 1, field="idcs", other_row=first + 1)
    raise DuplicateMember(
        N_("This person is already a member of household %(household)s (row %(other_row)s); a person belongs to "
           "one household."),
        source=sources.members, row=second + 1, field="idcs", household=int(households[first]), other_row=first + 1,
    )


def _explain_membership(
    hh_ids: np.ndarray, hh_order: np.ndarray | None, present: np.ndarray, starts: np.ndarray,
    m_order: np.ndarray | None, sources: Sources,
) -> None:
    """Members of unknown households, or households without members: say which, where."""
    position = np.searchsorted(hh_ids, present)
    known = (position < len(hh_ids)) & (hh_ids[np.minimum(position, max(len(hh_ids) - 1, 0))] == present) if len(
        hh_ids) else np.zeros(len(present), bool)
    unknown = np.flatnonzero(~known)
    if len(unknown):
        j = int(unknown[0])
        raise UnknownHousehold(N_("Household %(household)s is not in the households table."), source=sources.members,
                               row=_row(m_order, int(starts[j])), field="household_id", household=int(present[j]))
    empty = np.flatnonzero(~np.isin(hh_ids, present))
    i = int(empty[0])
    raise HeadOfHouseholdError(N_("Household %(household)s has no members, so no head."), source=sources.households,
                               row=_row(hh_order, i), field="household_id", household=int(hh_ids[i]))

