"""Programme cycles: a frozen snapshot of who receives what in a month, drawn as a draft, approved, then paid, in
order; a draft drawn by mistake is cancelled."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from majal.kit import audit, clock
from majal.kit.audit import utcnow
from majal.kit.errors import Conflict, MajalError, NotFound
from majal.kit.i18n import N_
from majal.kit.security import StaffMember
from majal.registry import repository
from majal.registry.models import CANCELLED, Cycle, Entitlement
from majal.registry.pmt import model_file, programmes, scoring
from majal.registry.service.access import check_officer
from majal.registry.service.scores import population_of

PERIOD_PATTERN = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")  # fullmatch: \d and $ would take "٢٠٢٦-05\n"
CYCLE_STATUSES = ("draft", "approved", "paid")


def period_reference_date(period: str) -> date:
    """The last day of the period's month: ages, amounts and rules of the cycle are those of that day."""
    match = PERIOD_PATTERN.fullmatch(period)
    if not match:
        raise MajalError(N_("Enter a month as YYYY-MM."), where="period")
    first = clock.check_month(int(match.group(1)), int(match.group(2)), "period", months_ahead=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)


def create_cycle(db: Session, user: StaffMember, programme: str, period: str, *, commune: str | None = None,
                 model: model_file.Model | None = None, rules: programmes.Rules | None = None) -> Cycle:
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
    model, rules = model or model_file.default_model(), rules or programmes.default_rules()
    version, rule = model.at(as_of), rules.rule_at(programme, as_of)
    table = rules.table_at(as_of) if programme == "asd" else None
    population = population_of(db, commune=commune, as_of=as_of)
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


def advance_cycle(db: Session, user: StaffMember, cycle_id: int, to: str) -> Cycle:
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


def cancel_cycle(db: Session, user: StaffMember, cycle_id: int, reason: str) -> Cycle:
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


def list_cycles(db: Session, user: StaffMember) -> list[Cycle]:
    check_officer(user)
    return repository.cycles(db)
