"""The registry in the database: import, stored scores and decisions, corrections with history, reviews, yearly
re-verification, programme cycles. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from majal.accounts import service as accounts
from majal.accounts.models import User
from majal.kit import crypto, outbox
from majal.kit.audit import AuditEvent, utcnow
from majal.kit.errors import Conflict, Forbidden, MajalError, NotFound, TooManyRequests
from majal.kit.outbox import OutboxMessage
from majal.kit.security import Role
from majal.registry import repository, service
from majal.registry.models import Cycle, Decision, Household, Member, Score
from majal.registry.pmt import data
from tests.registry.builders import child, frames, household, member

SECRET = "test-secret-key"
AS_OF = date(2026, 11, 1)


def population_files(households: list[dict], members: list[dict], folder: Path | None = None,
                     extra: dict[str, list] | None = None) -> data.PopulationFiles:
    hh = data.records_frame(households, data.HOUSEHOLD_COLUMNS)  # all text, as a CSV file is read
    mm = data.records_frame(members, data.MEMBER_COLUMNS)
    if extra:
        mm = mm.with_columns(**{name: pl.Series(values) for name, values in extra.items()})
    return data.PopulationFiles(hh, mm, None, data.Sources("households.csv", "members.csv"))


def small_population() -> tuple[list[dict], list[dict]]:
    """Three households of the commune BERKANE: a poor one with children, a middle one, a well-off one."""
    households = [
        household(household_id=1, commune="BERKANE", rooms=1, dwelling="rudimentary", phones=1, fridge=False,
                  spend_butane=300.0, spend_water_electricity=400.0, spend_telecom=100.0),
        household(household_id=2, commune="BERKANE"),
        household(household_id=3, commune="OUJDA", rooms=6, dwelling="villa", cars=2, laptop=True, internet=True,
                  spend_water_electricity=20000.0, spend_telecom=9000.0),
    ]
    members = [
        member(household_id=1, birth_date=date(1985, 1, 1)),
        member(household_id=1, relation="spouse", sex="F", birth_date=date(1988, 3, 3), occupation="homemaker"),
        child(1, date(2015, 5, 5)), child(1, date(2018, 6, 6)), child(1, date(2024, 1, 9), schooling="none"),
        member(household_id=2, birth_date=date(1970, 2, 2)),
        member(household_id=3, birth_date=date(1960, 4, 4), education="higher", diploma=True, occupation="employer"),
    ]
    return households, members


def imported(sessions: sessionmaker[Session]) -> None:
    households, members = small_population()
    with sessions.begin() as db:
        service.import_population(db, population_files(households, members), secret=SECRET, actor="test",
                                  as_of=AS_OF)


def user(sessions: sessionmaker[Session], username: str, role: str, commune: str | None = None) -> User:
    with sessions.begin() as db:
        return accounts.create_user(db, username, "correct horse battery", role, None, commune_code=commune)


def count(db: Session, model: type) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


# --- import --------------------------------------------------------------------------------------------------------


def test_import_writes_households_sealed_members_scores_and_decisions(sessions) -> None:
    imported(sessions)
    with sessions.begin() as db:
        assert count(db, Household) == 3 and count(db, Member) == 7
        assert count(db, Score) == 3 and count(db, Decision) == 6
        found = repository.household(db, 1)
        assert found is not None and len(found.members) == 5
        assert [m.relation for m in found.members][:2] == ["head", "spouse"]
        head = found.members[0]
        assert "0000000" not in head.idcs_sealed  # stored sealed, never in clear
        idcs = crypto.unseal_text(SECRET, service.IDCS_PURPOSE, head.idcs_sealed)
        assert len(idcs) == 10 and head.idcs_digest == service.idcs_digest(SECRET, idcs)
        assert len(found.tracking_code) == 14
        score = repository.latest_scores(db, 1)["computed"]
        assert score.model_version and score.as_of == AS_OF and len(score.drivers) == 3
        asd = next(d for d in score.decisions if d.programme == "asd")
        assert asd.comparator == "<=" and asd.threshold == pytest.approx(9.743001) and asd.rule
        if asd.eligible:
            assert asd.monthly_amount >= 500
        richest = repository.latest_scores(db, 3)["computed"]
        assert richest.score > score.score  # the villa with two cars scores higher than the one-room dwelling


@pytest.mark.parametrize(("change", "row", "field", "error"), [
    ({"member": 2, "idcs": "12345"}, 3, "idcs", data.InvalidIdentifier),
    ({"member": 2, "birth_date": date.today() + timedelta(days=40)}, 3, "birth_date", data.FutureBirthDate),
    ({"household": 1, "spend_butane": -5.0}, 2, "spend_butane", data.NegativeAmount),
    ({"household": 0, "region": "MA-99"}, 1, "region", data.UnknownRegion),
    ({"member": 5, "relation": "child"}, 2, "household_id", data.HeadOfHouseholdError),
])
def test_a_bad_row_refuses_the_whole_import_naming_row_and_field(sessions, change, row, field, error) -> None:
    households, members = small_population()
    change = dict(change)
    target = households[change.pop("household")] if "household" in change else members[change.pop("member")]
    target.update(change)
    with pytest.raises(error) as refused, sessions.begin() as db:
        service.import_population(db, population_files(households, members), secret=SECRET, actor="test",
                                  as_of=date.today())
    assert refused.value.row == row and refused.value.field == field
    assert f"row {row}" in str(refused.value) and field in str(refused.value)
    with sessions.begin() as db:
        assert count(db, Household) == count(db, Member) == count(db, Score) == 0


def test_a_member_in_two_households_is_refused_in_a_file_and_across_imports(sessions) -> None:
    households, members = small_population()
    members[5]["idcs"] = members[0]["idcs"]
    with pytest.raises(data.DuplicateMember) as refused, sessions.begin() as db:
        service.import_population(db, population_files(households, members), secret=SECRET, actor="test",
                                  as_of=AS_OF)
    assert refused.value.field == "idcs" and refused.value.row == 6
    imported(sessions)
    households2 = [household(household_id=9, commune="BERKANE")]
    again = [member(household_id=9), member(household_id=9, relation="spouse", sex="F")]
    with sessions.begin() as db:
        taken = crypto.unseal_text(SECRET, service.IDCS_PURPOSE, repository.household(db, 2).members[0].idcs_sealed)
    again[1]["idcs"] = taken
    with pytest.raises(data.DuplicateMember) as refused, sessions.begin() as db:
        service.import_population(db, population_files(households2, again), secret=SECRET, actor="test",
                                  as_of=AS_OF)
    assert refused.value.row == 2 and "another household" in str(refused.value)
    with pytest.raises(data.DuplicateHousehold), sessions.begin() as db:
        service.import_population(db, population_files([household(household_id=2)], [member(household_id=2)]),
                                  secret=SECRET, actor="test", as_of=AS_OF)
    with sessions.begin() as db:
        assert count(db, Household) == 3


def test_cnie_is_optional_checked_and_sealed(sessions) -> None:
    households, members = small_population()
    cnie = ["F123456", None, None, None, None, "ab12", None]
    with sessions.begin() as db:
        service.import_population(db, population_files(households, members, extra={"cnie": cnie}), secret=SECRET,
                                  actor="test", as_of=AS_OF)
        head = repository.household(db, 1).members[0]
        assert crypto.unseal_text(SECRET, service.CNIE_PURPOSE, head.cnie_sealed) == "F123456"
        assert repository.household(db, 2).members[0].cnie_digest == service.cnie_digest(SECRET, "AB12")
    bad = [household(household_id=20)], [member(household_id=20)]
    with pytest.raises(data.InvalidIdentifier) as refused, sessions.begin() as db:
        service.import_population(db, population_files(*bad, extra={"cnie": ["123"]}), secret=SECRET, actor="t",
                                  as_of=AS_OF)
    assert refused.value.field == "cnie" and refused.value.row == 1


def test_cli_import_refuses_a_bad_file_with_row_and_field(tmp_path, settings, engine) -> None:
    from typer.testing import CliRunner

    from majal.cli import app
    from majal.kit.cli import settings as cli_settings

    households, members = small_population()
    members[3]["idcs"] = "12AB567890"
    hh, mm = frames(households, members)
    data.write_table(hh, tmp_path, "households", ["csv"])
    data.write_table(mm, tmp_path, "members", ["csv"])
    env = {"MAJAL_DATABASE_URL": settings.database_url, "MAJAL_SECRET_KEY": SECRET, "LANG": "en_US.UTF-8"}
    cli_settings.cache_clear()
    answer = CliRunner().invoke(app, ["registry", "import", str(tmp_path)], env=env)
    assert answer.exit_code == 1, answer.output
    assert "members.csv, row 4, field idcs" in " ".join(answer.output.split())
    members[3]["idcs"] = "1234567890"
    hh, mm = frames(households, members)
    data.write_table(mm, tmp_path, "members", ["csv"])
    answer = CliRunner().invoke(app, ["registry", "import", str(tmp_path)], env=env)
    cli_settings.cache_clear()
    assert answer.exit_code == 0, answer.output
    assert "3 households" in answer.output


# --- access, corrections, verification -----------------------------------------------------------------------------


def test_a_social_worker_sees_only_households_of_their_commune_and_every_read_is_logged(sessions) -> None:
    imported(sessions)
    worker = user(sessions, "worker", "social_worker", "BERKANE")
    other = user(sessions, "other", "social_worker", "OUJDA")
    officer = user(sessions, "officer", "programme_officer")
    with sessions.begin() as db:
        view = service.household_view(db, worker, 1, secret=SECRET, reason="home visit")
        assert len(view.members) == 5 and all(m.idcs and len(m.idcs) == 10 for m in view.members)
        assert {p.programme for p in view.eligibility} == {"amo_tadamon", "asd"}
        assert view.asd is not None and view.asd.children
        for refused_user in (other, officer):
            with pytest.raises(Forbidden):
                service.household_view(db, refused_user, 1, secret=SECRET, reason="curious")
        with pytest.raises(NotFound):
            service.household_view(db, worker, 999, secret=SECRET, reason="x")
    with sessions.begin() as db:
        logged = db.scalars(select(AuditEvent).where(AuditEvent.action == "registry.household.read")).all()
        assert [(e.actor, e.object_id, e.detail) for e in logged] == [
            ("worker", "1", {"reason": "home visit", "identifiers": True})]


def test_a_correction_keeps_history_and_a_corrected_score_beside_the_computed_one(sessions) -> None:
    imported(sessions)
    worker = user(sessions, "worker", "social_worker", "BERKANE")
    with sessions.begin() as db:
        computed = repository.latest_scores(db, 1)["computed"].score
        corrected = service.correct(db, worker, 1, field_name="cars", value="1", reason="a car seen at the visit")
        assert corrected.kind == "corrected" and corrected.score > computed
    with sessions.begin() as db:
        latest = repository.latest_scores(db, 1)
        assert latest["computed"].score == computed and latest["corrected"].score == corrected.score
        change = repository.changes(db, 1)[0]
        assert (change.field, change.old_value, change.new_value, change.actor) == ("cars", "0", "1", "worker")
        assert change.reason == "a car seen at the visit"
        spouse = repository.household(db, 1).members[1]
        service.correct(db, worker, 1, field_name="occupation", value="employee", reason="new job",
                        member_id=spouse.id)
    for field, value, member_index, error in [
        ("cars", "-1", None, data.NegativeAmount), ("cars", "1", None, MajalError), ("idcs", "1", 0, MajalError),
        ("relation", "child", 0, data.HeadOfHouseholdError), ("birth_date", "2999-01-01", 2, MajalError),
        ("region", "MA-77", None, data.UnknownRegion),
    ]:
        with pytest.raises(error), sessions.begin() as db:
            member_id = repository.household(db, 1).members[member_index].id if member_index is not None else None
            service.correct(db, worker, 1, field_name=field, value=value, reason="r", member_id=member_id)
    with sessions.begin() as db:
        assert len(repository.changes(db, 1)) == 2  # the refused corrections left nothing behind
        with pytest.raises(MajalError):
            service.correct(db, worker, 1, field_name="rooms", value="2", reason="  ")
        with pytest.raises(MajalError, match=r"control characters|NUL character"):
            service.correct(db, worker, 1, field_name="rooms", value="2", reason="seen\x00")
        with pytest.raises(MajalError, match=r"control characters|NUL character"):
            service.correct(db, worker, 1, field_name="address", value="Hay\x00Salam", reason="seen")


# --- who may change which field; moving a household ---------------------------------------------------------------


def test_every_correctable_field_says_whether_it_decides_who_sees_the_household() -> None:
    # the commune is what `check_household_access` compares; no other field scopes a household or a member
    assert {"commune"} == service.ACCESS_FIELDS
    for rules in (service.HOUSEHOLD_FIELDS, service.MEMBER_FIELDS):
        for name, rule in rules.items():
            if rule.decides_access:
                assert Role.social_worker not in rule.roles and rule.roles == service.MOVERS, name
            else:
                assert rule.roles == service.CORRECTORS, name
    social = User(username="w", role="social_worker", commune_code="BERKANE")
    household_fields, member_fields = service.correctable_fields(social)
    assert "commune" not in household_fields and set(household_fields) == set(service.HOUSEHOLD_FIELDS) - {"commune"}
    assert set(member_fields) == set(service.MEMBER_FIELDS)
    assert service.correctable_fields(User(username="o", role="programme_officer")) == ([], [])


def _history(db: Session, household_id: int) -> tuple[int, int, int]:
    return (len(repository.changes(db, household_id)), len(repository.score_history(db, household_id)),
            count(db, AuditEvent))


@pytest.mark.parametrize("field", sorted(service.ACCESS_FIELDS))
def test_a_social_worker_may_not_correct_a_field_that_decides_who_sees_the_household(sessions, field) -> None:
    imported(sessions)
    worker = user(sessions, "worker", "social_worker", "BERKANE")
    admin = user(sessions, "root", "admin")
    with sessions.begin() as db:
        before = _history(db, 1)
    with sessions.begin() as db, pytest.raises(Forbidden) as refused:
        service.correct(db, worker, 1, field_name=field, value="OUJDA", reason="they moved")
    assert refused.value.where == "field" and "programme officer" in refused.value.translated()
    with sessions.begin() as db, pytest.raises(MajalError) as redirected:  # an admin is sent to the move
        service.correct(db, admin, 1, field_name=field, value="OUJDA", reason="they moved")
    assert redirected.value.status_code == 400 and "move the household" in redirected.value.translated()
    with sessions.begin() as db:
        assert getattr(repository.household(db, 1), field) == "BERKANE"
        assert _history(db, 1) == before  # no history row, no score, no audit event


def _another_value(column: data.Column, current: object) -> str:
    """A valid value other than `current`, in the import format, for any column kind."""
    if column.kind == "enum":
        return next(choice for choice in column.values if choice != current)
    if column.kind == "bool":
        return "false" if current else "true"
    if column.kind in ("count", "amount"):
        return str((current or 0) + 1)
    if column.kind == "date":
        return "2016-02-02"
    return "BRK-01" if column.name == "district" else "Changed"


def test_no_other_correction_changes_who_sees_the_household(sessions) -> None:
    """Every field a social worker may correct, of the household and of a member: the correction is allowed, and
    afterwards the same workers see the household as before."""
    imported(sessions)
    worker = user(sessions, "worker", "social_worker", "BERKANE")
    other = user(sessions, "other", "social_worker", "OUJDA")
    household_fields, member_fields = service.correctable_fields(worker)
    corrections = [(name, None) for name in household_fields] + [(name, 2) for name in member_fields]
    for name, member_index in corrections:
        with sessions.begin() as db:
            found = repository.household(db, 1)
            target = found if member_index is None else found.members[member_index]  # a child: never the head
            rules = service.HOUSEHOLD_FIELDS if member_index is None else service.MEMBER_FIELDS
            value = _another_value(rules[name].column, getattr(target, name))
            if name == "relation":
                value = "grandchild"
            service.correct(db, worker, 1, field_name=name, value=value, reason=f"check {name}",
                            member_id=None if member_index is None else target.id)
        with sessions.begin() as db:
            service.household_view(db, worker, 1, secret=SECRET, reason="check", identifiers=False)
            with pytest.raises(Forbidden):
                service.household_view(db, other, 1, secret=SECRET, reason="check", identifiers=False)
    with sessions.begin() as db:
        assert len(repository.changes(db, 1)) == len(corrections)


def test_an_officer_moves_a_household_and_both_communes_see_the_move(sessions) -> None:
    imported(sessions)
    berkane = user(sessions, "worker", "social_worker", "BERKANE")
    oujda = user(sessions, "other", "social_worker", "OUJDA")
    taza = user(sessions, "third", "social_worker", "TAZA")
    officer = user(sessions, "officer", "programme_officer")
    with sessions.begin() as db:
        db.execute(update(Household).where(Household.id == 1).values(district="BRK-03"))
    with sessions.begin() as db:
        moved = service.move_household(db, officer, 1, commune="oujda", reason="  Rental contract in Oujda seen  ",
                                       ip="10.0.0.9")
        assert (moved.old_value, moved.new_value, moved.actor) == ("BERKANE", "OUJDA", "officer")
    with sessions.begin() as db:
        found = repository.household(db, 1)
        assert (found.commune, found.district) == ("OUJDA", None)
        history = [(c.field, c.old_value, c.new_value, c.actor, c.reason) for c in repository.changes(db, 1)]
        assert ("commune", "BERKANE", "OUJDA", "officer", "Rental contract in Oujda seen") in history
        assert ("district", "BRK-03", None, "officer", "Rental contract in Oujda seen") in history
        event = db.scalars(select(AuditEvent).where(AuditEvent.action == "registry.household.move")).one()
        assert (event.actor, event.object_id, event.detail, event.ip) == (
            "officer", "1", {"from": "BERKANE", "to": "OUJDA"}, "10.0.0.9")
        view = service.household_view(db, oujda, 1, secret=SECRET, reason="new file", identifiers=False)
        assert any(c.field == "commune" and c.new_value == "OUJDA" for c in view.changes)
        assert service.household_count(db, "BERKANE") == 1 and service.household_count(db, "OUJDA") == 2
        with pytest.raises(service.HouseholdMoved) as left:  # the old commune's worker is told where it went
            service.household_view(db, berkane, 1, secret=SECRET, reason="casework", identifiers=False)
        assert left.value.status_code == 403 and "OUJDA" in left.value.translated()
        for reader in (berkane, oujda, officer):
            seen = service.household_moves(db, reader, 1)
            assert seen.commune == "OUJDA" and [m.reason for m in seen.moves] == ["Rental contract in Oujda seen"]
        with pytest.raises(Forbidden) as stranger:
            service.household_moves(db, taza, 1)
        assert not isinstance(stranger.value, service.HouseholdMoved)
        with pytest.raises(Forbidden) as never_there:  # a worker the household never concerned gets the plain 403
            service.household_view(db, taza, 1, secret=SECRET, reason="x", identifiers=False)
        assert not isinstance(never_there.value, service.HouseholdMoved)
    with sessions.begin() as db:  # a commune known from a social worker's account, with no household yet
        service.move_household(db, officer, 1, commune="TAZA", reason="moved again")
    with sessions.begin() as db:
        with pytest.raises(service.HouseholdMoved):
            service.household_view(db, oujda, 1, secret=SECRET, reason="x", identifiers=False)
        assert len(service.household_moves(db, berkane, 1).moves) == 2


@pytest.mark.parametrize(("commune", "reason", "fields"), [
    ("", "", ["commune", "reason"]),
    ("RABAT", "they moved", ["commune"]),  # no such commune here
    ("BERKANE", "they moved", ["commune"]),  # where it already is
    ("X" * 40, "they moved", ["commune"]),
    ("OUJDA\x00", "they moved", ["commune"]),
    ("OUJDA", "   ", ["reason"]),
    ("OUJDA", "moved\x00", ["reason"]),
    ("OUJDA", "x" * 2001, ["reason"]),
])
def test_a_move_is_refused_whole_naming_every_field(sessions, commune, reason, fields) -> None:
    imported(sessions)
    officer = user(sessions, "officer", "programme_officer")
    with sessions.begin() as db:
        before = _history(db, 1)
    with sessions.begin() as db, pytest.raises(service.InvalidFields) as refused:
        service.move_household(db, officer, 1, commune=commune, reason=reason)
    assert [p.where for p in refused.value.problems] == fields and refused.value.status_code == 400
    with sessions.begin() as db:
        assert repository.household(db, 1).commune == "BERKANE" and _history(db, 1) == before


def test_only_officers_and_admins_move_a_household(sessions) -> None:
    imported(sessions)
    worker = user(sessions, "worker", "social_worker", "BERKANE")
    admin = user(sessions, "root", "admin")
    with sessions.begin() as db:
        with pytest.raises(Forbidden):
            service.move_household(db, worker, 1, commune="OUJDA", reason="they moved")
        with pytest.raises(NotFound):
            service.move_household(db, admin, 999, commune="OUJDA", reason="they moved")
        assert repository.household(db, 1).commune == "BERKANE" and _history(db, 1)[0] == 0
        service.move_household(db, admin, 1, commune="OUJDA", reason="they moved")
        assert repository.household(db, 1).commune == "OUJDA"


def test_the_communes_a_household_may_move_to(sessions, demo_territory) -> None:
    with sessions.begin() as db:
        assert service.known_communes(db) == ["BERKANE"]  # the territory's, before any household
    imported(sessions)
    user(sessions, "worker", "social_worker", "TAZA")
    user(sessions, "gone", "social_worker", "NADOR")
    with sessions.begin() as db:
        accounts.find_user(db, "gone").is_active = False
    with sessions.begin() as db:
        # the registry's communes, the territory's (BERKANE, the demo's), and active social workers'
        assert service.known_communes(db) == ["BERKANE", "OUJDA", "TAZA"]


@pytest.mark.parametrize(("reason", "identifiers"), [("", True), ("   ", True), ("x" * 201, True),
                                                     ("visit\x00", True), ("visit\x00", False)])
def test_identifiers_are_opened_only_with_a_reason_that_can_be_stored(sessions, reason, identifiers) -> None:
    imported(sessions)
    worker = user(sessions, "worker", "social_worker", "BERKANE")
    with sessions.begin() as db:
        before = count(db, AuditEvent)
    with sessions.begin() as db, pytest.raises(MajalError) as refused:
        service.household_view(db, worker, 1, secret=SECRET, reason=reason, identifiers=identifiers)
    assert refused.value.status_code == 400 and refused.value.where == "reason"
    with sessions.begin() as db:
        assert count(db, AuditEvent) == before


def test_households_not_verified_for_a_year_are_listed_for_their_worker(sessions) -> None:
    imported(sessions)
    worker = user(sessions, "worker", "social_worker", "BERKANE")
    with sessions.begin() as db:
        db.execute(update(Household).where(Household.id.in_([1, 3])).values(
            verified_at=utcnow() - timedelta(days=400)))
    with sessions.begin() as db:
        due = service.due_for_verification(db, worker)
        assert [row[0] for row in due.rows] == [1] and due.total == 1  # household 3 is another commune's
        service.verify(db, worker, 1, "checked at home")
    with sessions.begin() as db:
        assert service.due_for_verification(db, worker).total == 0
        assert repository.changes(db, 1)[0].field == "verified_at"
        assert len(repository.score_history(db, 1)) == 2


# --- reviews -------------------------------------------------------------------------------------------------------


def test_a_household_opens_a_review_the_worker_corrects_and_closes_it_and_the_household_is_told(sessions) -> None:
    imported(sessions)
    worker = user(sessions, "worker", "social_worker", "BERKANE")
    with sessions.begin() as db:
        code = repository.household(db, 1).tracking_code
    with sessions.begin() as db:
        review = service.open_review_by_household(db, SECRET, code.lower().replace("-", ""), "1988-03-03",
                                                  "We sold our phone.", "10.0.0.1", phone="+212 600000000",
                                                  lang="fr")
        assert review.opened_by == "household" and review.status == "open"
    with sessions.begin() as db, pytest.raises(Conflict):
        service.open_review_by_staff(db, worker, 1, "again")
    with sessions.begin() as db:
        service.correct(db, worker, 1, field_name="phones", value="0", reason="seen", review_id=review.id)
        service.close_review(db, worker, review.id, "The phone was removed from your record.", secret=SECRET)
    with sessions.begin() as db:
        message = db.scalars(select(OutboxMessage)).one()
        assert message.channel == "sms" and message.reference == f"registry_review:{review.id}"
        assert code in message.body and "phone was removed" in message.body
        assert crypto.unseal(SECRET, outbox.RECIPIENT_PURPOSE, message.recipient_sealed)["to"] == "+212 600000000"
        history = [(c.field, c.new_value) for c in repository.changes(db, 1)]
        assert ("review", "open") in history and ("review", "closed") in history and ("phones", "0") in history
        latest = repository.latest_scores(db, 1)["corrected"]
        assert latest.review_id == review.id
        with pytest.raises(Conflict):
            service.close_review(db, worker, review.id, "again", secret=SECRET)


def test_a_wrong_code_or_birth_date_says_nothing_and_is_rate_limited(sessions) -> None:
    imported(sessions)
    with sessions.begin() as db:
        code = repository.household(db, 1).tracking_code
    for code_given, born in [(code, "1999-01-01"), ("AAAA-AAAA-AAAA", "1985-01-01")]:
        with sessions.begin() as db, pytest.raises(NotFound) as refused:
            service.citizen_status(db, SECRET, code_given, born, "10.0.0.2")
        assert str(refused.value) == service.BAD_LOOKUP
    with sessions.begin() as db, pytest.raises(MajalError):
        service.citizen_status(db, SECRET, code, "not a date", "10.0.0.2")
    with sessions.begin() as db:
        status = service.citizen_status(db, SECRET, code, "1985-01-01", "10.0.0.3")
        assert len(status.members) == 5 and status.score is not None
        assert not hasattr(status.members[0], "idcs")
    for _attempt in range(service.LOOKUP_LIMIT):
        with sessions.begin() as db, contextlib.suppress(NotFound):
            service.citizen_status(db, SECRET, code, "1999-01-01", "10.0.0.4")
    with sessions.begin() as db, pytest.raises(TooManyRequests):
        service.citizen_status(db, SECRET, code, "1985-01-01", "10.0.0.4")


# --- cycles --------------------------------------------------------------------------------------------------------


def test_a_cycle_freezes_beneficiaries_amounts_model_and_rule_and_moves_in_order(sessions) -> None:
    imported(sessions)
    officer = user(sessions, "officer", "programme_officer")
    worker = user(sessions, "worker", "social_worker", "BERKANE")
    with sessions.begin() as db:
        with pytest.raises(Forbidden):
            service.create_cycle(db, worker, "asd", "2026-10")
        october = service.create_cycle(db, officer, "asd", "2026-10")
        november = service.create_cycle(db, officer, "asd", "2026-11", commune="BERKANE")
        assert (october.status, october.comparator, october.threshold) == ("draft", "<=", 9.743001)
        assert october.model_version and october.rule == "ASD-2023" and october.amount_table
        assert october.as_of == date(2026, 10, 31)
        frozen = repository.entitlements(db, october.id)
        assert len(frozen) == october.beneficiaries
        assert sum(e.monthly_amount + e.birth_grant for e in frozen) == pytest.approx(october.total_amount)
        assert all(e.monthly_amount >= 500 for e in frozen)
        assert {e.household_id for e in repository.entitlements(db, november.id)} <= {1, 2}
    with sessions.begin() as db:
        with pytest.raises(Conflict, match="2026-10"):
            service.advance_cycle(db, officer, november.id, "approved")  # October is still a draft
        with pytest.raises(Conflict):
            service.advance_cycle(db, officer, october.id, "paid")  # not approved yet
        with pytest.raises(Conflict):
            service.create_cycle(db, officer, "asd", "2026-09")  # drawn in order
        with pytest.raises(Conflict):
            service.create_cycle(db, officer, "asd", "2026-10")
        with pytest.raises(MajalError):
            service.create_cycle(db, officer, "asd", "2026-13")
        with pytest.raises(MajalError):
            service.create_cycle(db, officer, "pension", "2026-12")
    with sessions.begin() as db:
        service.advance_cycle(db, officer, october.id, "approved")
        service.advance_cycle(db, officer, november.id, "approved")
        with pytest.raises(Conflict):
            service.advance_cycle(db, officer, november.id, "paid")  # October is not paid
        service.advance_cycle(db, officer, october.id, "paid")
        service.advance_cycle(db, officer, november.id, "paid")
        with pytest.raises(Conflict):
            service.advance_cycle(db, officer, november.id, "paid")
    with sessions.begin() as db:
        # the snapshot does not move when a household is corrected afterwards
        before = [(e.household_id, e.monthly_amount) for e in repository.entitlements(db, october.id)]
        db.execute(update(Household).where(Household.id == 1).values(cars=3))
        assert [(e.household_id, e.monthly_amount) for e in repository.entitlements(db, october.id)] == before
        statuses = {c.period: c.status for c in db.scalars(select(Cycle))}
        assert statuses == {"2026-10": "paid", "2026-11": "paid"}


def _month(today: date, ahead: int) -> str:
    year, month = divmod(today.year * 12 + today.month - 1 + ahead, 12)
    return f"{year:04d}-{month + 1:02d}"


@pytest.mark.parametrize("period", ["1999-12", "9999-12", "0202-05", "AHEAD+2"])
def test_a_cycle_period_outside_2000_to_next_month_is_refused_with_the_range(sessions, period: str) -> None:
    officer = user(sessions, "officer", "programme_officer")
    today = utcnow().date()
    chosen = _month(today, 2) if period == "AHEAD+2" else period
    with sessions.begin() as db, pytest.raises(MajalError) as refused:
        service.create_cycle(db, officer, "asd", chosen)
    assert str(refused.value) == f"period: Enter a month from 2000-01 to {_month(today, 1)}."
    with sessions() as db:
        assert db.scalar(select(func.count(Cycle.id))) == 0


@pytest.mark.parametrize("period", ["٢٠٢٦-05", "2026-05\n", "2026-5", " 2026-05"])
def test_a_cycle_period_is_written_with_ascii_digits(sessions, period: str) -> None:
    officer = user(sessions, "officer", "programme_officer")
    with sessions.begin() as db, pytest.raises(MajalError, match="YYYY-MM"):
        service.create_cycle(db, officer, "asd", period)


def test_next_month_may_be_drawn(sessions) -> None:
    imported(sessions)
    officer = user(sessions, "officer", "programme_officer")
    with sessions.begin() as db:
        assert service.create_cycle(db, officer, "asd", _month(utcnow().date(), 1)).status == "draft"


def test_a_draft_cycle_is_cancelled_with_its_reason_and_its_month_drawn_again(sessions) -> None:
    imported(sessions)
    officer = user(sessions, "officer", "programme_officer")
    worker = user(sessions, "worker", "social_worker", "BERKANE")
    with sessions.begin() as db:
        wrong = service.create_cycle(db, officer, "asd", "2026-10", commune="OUJDA")
        wrong_id = wrong.id
        assert repository.entitlements(db, wrong_id) or wrong.beneficiaries == 0
    with sessions.begin() as db:
        with pytest.raises(Forbidden):
            service.cancel_cycle(db, worker, wrong_id, "wrong commune")
        with pytest.raises(MajalError, match="reason"):
            service.cancel_cycle(db, officer, wrong_id, "  ")
        with pytest.raises(NotFound):
            service.cancel_cycle(db, officer, 999_999, "wrong commune")
    with sessions.begin() as db:
        assert service.cancel_cycle(db, officer, wrong_id, "Drawn for the wrong commune").status == "cancelled"
    with sessions.begin() as db:
        assert repository.entitlements(db, wrong_id) == []
        event = db.scalars(select(AuditEvent).where(AuditEvent.action == "registry.cycle.cancel")).one()
        assert (event.actor, event.object_id, event.detail["reason"]) == (
            "officer", str(wrong_id), "Drawn for the wrong commune")
        for step in ("approved", "paid"):
            with pytest.raises(Conflict, match="cancelled"):
                service.advance_cycle(db, officer, wrong_id, step)
        with pytest.raises(Conflict, match="draft"):
            service.cancel_cycle(db, officer, wrong_id, "twice")
        again = service.create_cycle(db, officer, "asd", "2026-10", commune="BERKANE")  # the month is free again
        november = service.create_cycle(db, officer, "asd", "2026-11")
        service.advance_cycle(db, officer, again.id, "approved")  # the cancelled cycle holds nothing up
        service.advance_cycle(db, officer, november.id, "approved")
        service.advance_cycle(db, officer, again.id, "paid")
        with pytest.raises(Conflict, match="draft"):
            service.cancel_cycle(db, officer, again.id, "too late")  # paid cycles are history
        statuses = sorted((c.period, c.status) for c in db.scalars(select(Cycle)))
        assert statuses == [("2026-10", "cancelled"), ("2026-10", "paid"), ("2026-11", "approved")]


def test_the_officer_sees_the_targeting_evaluation_of_the_survey_loaded(sessions, tmp_path) -> None:
    from majal.registry.pmt import data, synth

    officer = user(sessions, "officer", "programme_officer")
    worker = user(sessions, "worker", "social_worker", "BERKANE")
    with sessions.begin() as db, pytest.raises(NotFound, match="majal registry survey import"):
        service.targeting(db, officer, "asd")  # none loaded yet: says how to load one
    synth.write(synth.generate(3000, 7), tmp_path, formats=("csv",), seed=7)
    files = data.read_population(tmp_path, consumption=True)
    with sessions.begin() as db:
        survey = service.import_survey(db, files, "Enquête 2024", synth.REFERENCE_DATE, actor="officer")
        assert (survey.households, survey.name) == (3000, "Enquête 2024")
    with sessions.begin() as db:
        found = service.targeting(db, officer, "asd")
        report = found.report
        assert found.rule.comparator == "<=" and report.threshold == found.rule.threshold
        assert (found.survey_name, found.survey_households, found.model_version) == (
            "Enquête 2024", 3000, survey.model_version)
        assert 0 < report.exclusion_error < 1 and 0 < report.inclusion_error < 1 and report.auc > 0.8
        assert len(report.coverage_by_decile) == 10 and report.coverage_by_decile[0] > report.coverage_by_decile[-1]
        assert service.targeting(db, officer, "asd", 9.0).report.selected < report.selected
        with pytest.raises(Forbidden):
            service.targeting(db, worker, "asd")
    without = data.PopulationFiles(files.households, files.members, None, files.sources)
    with sessions.begin() as db, pytest.raises(MajalError, match="consumption"):
        service.import_survey(db, without, "", synth.REFERENCE_DATE, actor="officer")
