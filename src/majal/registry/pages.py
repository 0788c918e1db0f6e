"""Registry pages: the social worker's household page and worklist, the programme officer's dashboard, and the
household's own status page (tracking code + a member's birth date)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from majal.accounts.deps import current_user
from majal.accounts.models import User
from majal.kit.errors import MajalError, NotFound
from majal.kit.i18n import N_, current_language, gettext
from majal.kit.validation import BigRowId, RowId, row_id
from majal.kit.web import DB, Audience, client_ip, render, verify_csrf
from majal.registry import labels, service
from majal.registry.models import Household
from majal.registry.pmt import programmes

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=2000)]
CONSOLE = "/console/registry"
DEFAULT_READ_REASON = N_("Casework")


def client_of(request: Request) -> str:
    return client_ip(request)


def drivers_in_words(drivers: list[dict[str, Any]]) -> list[str]:
    """“household size lowers the index (−0.667)”: what moves a score most, as a worker can say it."""
    words = []
    for driver in drivers:
        effect = float(driver.get("effect", 0.0))
        template = N_("%(driver)s raises the index (%(effect)s)") if effect >= 0 else N_(
            "%(driver)s lowers the index (%(effect)s)")
        words.append(gettext(template, driver=service.group_label(str(driver.get("group", ""))),
                             effect=f"{effect:+.3f}"))
    return words


def _programmes(views: list[service.ProgrammeView]) -> list[dict[str, Any]]:
    return [{"name": gettext(labels.PROGRAMME_NAMES.get(p.programme, p.programme)), "eligible": p.eligible,
             "rule": p.rule, "comparator": p.comparator, "threshold": p.threshold, "margin": p.margin,
             "monthly": p.monthly_amount, "birth_grant": p.birth_grant, "asd": p.programme == "asd"} for p in views]


def _asd(detail: programmes.AsdBreakdown | None) -> dict[str, Any] | None:
    if detail is None:
        return None
    return {"table": detail.table, "eligible": detail.eligible, "widow": detail.widow,
            "children": [{"rank": c.rank, "age": c.age, "counted": c.counted, "base": c.base,
                          "supplement": c.disability_supplement, "grant": c.birth_grant,
                          "category": gettext(labels.CATEGORY_LABELS[c.category])} for c in detail.children],
            "children_total": detail.children_total, "floor_applied": detail.floor_applied,
            "monthly": detail.monthly, "birth_grant": detail.birth_grant}


# --- the social worker ---------------------------------------------------------------------------------------------


@router.get(CONSOLE, tags=[Audience.staff])
def worklist(request: Request, db: DB, user: Annotated[User, Depends(current_user)]) -> Response:
    due = service.due_for_verification(db, user)
    return render(request, "registry/worklist.html", {
        "due": due, "reviews": service.open_reviews(db, user), "commune": user.commune_code})


@router.get(CONSOLE + "/find", tags=[Audience.probe])
def find(user: Annotated[User, Depends(current_user)],
         number: Annotated[BigRowId, Query()]) -> Response:
    service.check_registry_staff(user)
    return RedirectResponse(f"{CONSOLE}/households/{number}", status_code=303)


@router.get(CONSOLE + "/households/{household_id}", tags=[Audience.staff])
def household_page(request: Request, db: DB, household_id: BigRowId, user: Annotated[User, Depends(current_user)],
                   reason: Annotated[str, Query(max_length=200)] = "",
                   identifiers: bool = False) -> Response:
    return _household_page(request, db, user, household_id, reason=reason, identifiers=identifiers)


def _household_page(request: Request, db: DB, user: User, household_id: int, *, reason: str = "",
                    identifiers: bool = False, error: str | None = None, status_code: int = 200) -> Response:
    secret = request.app.state.secret_key
    try:
        view = service.household_view(db, user, household_id, secret=secret, identifiers=identifiers,
                                      reason=reason if identifiers else reason or gettext(DEFAULT_READ_REASON),
                                      ip=client_of(request))
    except service.HouseholdMoved as moved:
        return _moved_page(request, db, user, household_id, moved)
    except MajalError as refused:
        if refused.status_code != 400:
            raise
        view = service.household_view(db, user, household_id, secret=secret, identifiers=False,
                                      reason=gettext(DEFAULT_READ_REASON), ip=client_of(request))
        error, status_code = refused.translated(), 400
    household_fields, member_fields = service.correctable_fields(user)
    return render(request, "registry/household.html", {
        "view": view, "h": view.household, "error": error, "identifiers": identifiers,
        "programmes": _programmes(view.eligibility), "asd": _asd(view.asd),
        "drivers": drivers_in_words(view.in_force.drivers if view.in_force else []),
        "label": labels.value_label, "field_label": labels.field_label,
        "household_fields": [(name, labels.field_label(name)) for name in household_fields],
        "member_fields": [(name, labels.field_label(name)) for name in member_fields],
        "may_move": _may_move(user),
        "open_review": next((r for r in view.reviews if r.status == "open"), None),
    }, status_code=status_code)


def _may_move(user: User) -> bool:
    try:
        service.check_officer(user)
    except MajalError:
        return False
    return True


def _moved_page(request: Request, db: DB, user: User, household_id: int, moved: MajalError) -> Response:
    """What a worker of a commune the household left sees: where it went, when, by whom and why; nothing else."""
    found = service.household_moves(db, user, household_id, ip=client_of(request))
    return render(request, "registry/moved.html", {"found": found, "message": moved.translated()})


def _act(request: Request, db: DB, user: User, household_id: int, action: Any) -> Response:
    """Run one action; a refusal (raised before anything is written) re-renders the page with its message."""
    try:
        with db.begin_nested():  # a refusal after a partial write (say, a rescoring refused) undoes it
            action()
    except MajalError as refused:
        if refused.status_code in (401, 403, 404):
            raise
        return _household_page(request, db, user, household_id, error=refused.translated(),
                               status_code=refused.status_code)
    return RedirectResponse(f"{CONSOLE}/households/{household_id}", status_code=303)


@router.post(CONSOLE + "/households/{household_id}/correct", dependencies=[Depends(verify_csrf)])
def correct(request: Request, db: DB, household_id: BigRowId, user: Annotated[User, Depends(current_user)],
            field: Text = "", value: Text = "", reason: Text = "", member_id: Text = "",
            review_id: Text = "") -> Response:
    def act() -> None:
        service.correct(db, user, household_id, field_name=field, value=value, reason=reason,
                        member_id=row_id(member_id), review_id=row_id(review_id), ip=client_of(request))

    return _act(request, db, user, household_id, act)


@router.post(CONSOLE + "/households/{household_id}/verify", dependencies=[Depends(verify_csrf)])
def verify(request: Request, db: DB, household_id: BigRowId, user: Annotated[User, Depends(current_user)],
           note: Text = "") -> Response:
    return _act(request, db, user, household_id,
                lambda: service.verify(db, user, household_id, note, ip=client_of(request)))


@router.post(CONSOLE + "/households/{household_id}/review", dependencies=[Depends(verify_csrf)])
def open_review(request: Request, db: DB, household_id: BigRowId, user: Annotated[User, Depends(current_user)],
                reason: Text = "") -> Response:
    return _act(request, db, user, household_id,
                lambda: service.open_review_by_staff(db, user, household_id, reason, ip=client_of(request)))


@router.post(CONSOLE + "/reviews/{review_id}/close", dependencies=[Depends(verify_csrf)])
def close_review(request: Request, db: DB, review_id: RowId, user: Annotated[User, Depends(current_user)],
                 outcome: Text = "") -> Response:
    review = service.review_for(db, user, review_id)
    settings = request.app.state.settings
    return _act(request, db, user, review.household_id, lambda: service.close_review(
        db, user, review_id, outcome, secret=request.app.state.secret_key, default_language=settings.language,
        ip=client_of(request)))


# --- the programme officer -----------------------------------------------------------------------------------------


@router.get(CONSOLE + "/dashboard", tags=[Audience.staff])
def dashboard(request: Request, db: DB, user: Annotated[User, Depends(current_user)],
              programme: Annotated[str, Query(max_length=20)] = "asd",
              threshold: Annotated[float | None, Query(ge=0, le=20)] = None, error: str | None = None,
              status_code: int = 200) -> Response:
    service.check_officer(user)
    if programme not in programmes.PROGRAMMES:
        programme = "asd"
    try:
        found: service.Targeting | None = service.targeting(db, user, programme, threshold)
    except NotFound:  # no survey loaded yet: the page says how to load one
        found = None
    report = found.report if found is not None else None
    deciles = [{"label": gettext(N_("Decile %(number)s"), number=k + 1), "value": round(share * 100, 1),
                "display": f"{share * 100:.1f} %"} for k, share in enumerate(report.coverage_by_decile)
               ] if report is not None else []
    return render(request, "registry/dashboard.html", {
        "found": found, "report": report, "deciles": deciles, "programme": programme,
        "no_survey": gettext(service.NO_SURVEY),
        "programme_names": {key: gettext(name) for key, name in labels.PROGRAMME_NAMES.items()},
        "cycles": service.list_cycles(db, user), "label": labels.value_label, "error": error,
        "households": service.household_count(db), "threshold": threshold,
    }, status_code=status_code)


@router.post(CONSOLE + "/cycles", dependencies=[Depends(verify_csrf)])
def create_cycle(request: Request, db: DB, user: Annotated[User, Depends(current_user)],
                 programme: Text = "", period: Text = "", commune: Text = "") -> Response:
    try:
        with db.begin_nested():
            service.create_cycle(db, user, programme, period.strip(), commune=commune.strip() or None)
    except MajalError as refused:
        if refused.status_code in (401, 403):
            raise
        return dashboard(request, db, user, error=refused.translated(), status_code=refused.status_code)
    return RedirectResponse(f"{CONSOLE}/dashboard#cycles-heading", status_code=303)


@router.post(CONSOLE + "/cycles/{cycle_id}/advance", dependencies=[Depends(verify_csrf)])
def advance_cycle(request: Request, db: DB, cycle_id: RowId, user: Annotated[User, Depends(current_user)],
                  to: Text = "") -> Response:
    try:
        with db.begin_nested():
            service.advance_cycle(db, user, cycle_id, to)
    except MajalError as refused:
        if refused.status_code in (401, 403, 404):
            raise
        return dashboard(request, db, user, error=refused.translated(), status_code=refused.status_code)
    return RedirectResponse(f"{CONSOLE}/dashboard#cycles-heading", status_code=303)


@router.post(CONSOLE + "/cycles/{cycle_id}/cancel", dependencies=[Depends(verify_csrf)])
def cancel_cycle(request: Request, db: DB, cycle_id: RowId, user: Annotated[User, Depends(current_user)],
                 reason: Text = "") -> Response:
    try:
        with db.begin_nested():
            service.cancel_cycle(db, user, cycle_id, reason)
    except MajalError as refused:
        if refused.status_code in (401, 403, 404):
            raise
        return dashboard(request, db, user, error=refused.translated(), status_code=refused.status_code)
    return RedirectResponse(f"{CONSOLE}/dashboard#cycles-heading", status_code=303)


# --- moving a household to another commune ------------------------------------------------------------------------


@router.get(CONSOLE + "/move", tags=[Audience.probe])
def find_to_move(user: Annotated[User, Depends(current_user)],
                 number: Annotated[int, Query(ge=1, le=10**15)]) -> Response:
    service.check_officer(user)
    return RedirectResponse(f"{CONSOLE}/households/{number}/move", status_code=303)


@router.get(CONSOLE + "/households/{household_id}/move", tags=[Audience.staff])
def move_page(request: Request, db: DB, household_id: BigRowId, user: Annotated[User, Depends(current_user)],
              moved: bool = False) -> Response:
    return _move_page(request, db, user, household_id, moved=moved)


def _move_page(request: Request, db: DB, user: User, household_id: int, *, moved: bool = False,
               values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
               status_code: int = 200) -> Response:
    service.check_officer(user)
    found = service.household_moves(db, user, household_id, ip=client_of(request))
    return render(request, "registry/move.html", {
        "found": found, "communes": [c for c in service.known_communes(db) if c != found.commune],
        "done": found.moves[0] if moved and found.moves else None, "values": values or {}, "errors": errors or {},
        "may_see_household": service.may_see_households(user),
    }, status_code=status_code)


@router.post(CONSOLE + "/households/{household_id}/move", dependencies=[Depends(verify_csrf)])
def move(request: Request, db: DB, household_id: BigRowId, user: Annotated[User, Depends(current_user)],
         commune: Text = "", reason: Text = "") -> Response:
    try:
        with db.begin_nested():
            service.move_household(db, user, household_id, commune=commune, reason=reason, ip=client_of(request))
    except MajalError as refused:
        if refused.status_code in (401, 403, 404):
            raise
        return _move_page(request, db, user, household_id, values={"commune": commune, "reason": reason},
                          errors=field_errors(refused), status_code=refused.status_code)
    return RedirectResponse(f"{CONSOLE}/households/{household_id}/move?moved=true", status_code=303)


def field_errors(refused: MajalError) -> dict[str, str]:
    """Each refused field's message, for the form to show at the field (and in the summary above it)."""
    problems = refused.problems if isinstance(refused, service.InvalidFields) else [refused]
    return {problem.where or "form": gettext(problem.message, **problem.params) for problem in problems}


# --- the household itself ------------------------------------------------------------------------------------------


@router.get("/registry/status", tags=[Audience.citizen])
def status_form(request: Request) -> Response:
    return render(request, "registry/status_form.html", {"values": {}})


@router.post("/registry/status", dependencies=[Depends(verify_csrf)])
def status(request: Request, db: DB, code: Text = "", birth_date: Text = "") -> Response:
    values = {"code": code, "birth_date": birth_date}
    try:
        found = service.citizen_status(db, request.app.state.secret_key, code, birth_date, client_of(request))
    except MajalError as refused:  # the attempt is counted (committed); nothing else is written
        return render(request, "registry/status_form.html", {"values": values, "error": refused.translated()},
                      status_code=refused.status_code)
    return _status_page(request, found, values)


def _status_page(request: Request, found: service.CitizenStatus, values: dict[str, str],
                 error: str | None = None, done: bool = False, status_code: int = 200) -> Response:
    return render(request, "registry/status.html", {
        "status": found, "values": values, "programmes": _programmes(found.eligibility), "asd": _asd(found.asd),
        "label": labels.value_label, "error": error, "done": done}, status_code=status_code)


@router.post("/registry/review", dependencies=[Depends(verify_csrf)])
def citizen_review(request: Request, db: DB, code: Text = "", birth_date: Text = "", reason: Text = "",
                   email: Text = "", phone: Text = "") -> Response:
    values = {"code": code, "birth_date": birth_date}
    secret, client = request.app.state.secret_key, client_of(request)
    try:
        service.open_review_by_household(db, secret, code, birth_date, reason, client, email=email, phone=phone,
                                         lang=current_language())
        done, error, status_code = True, None, 200
    except MajalError as refused:
        done, error, status_code = False, refused.translated(), refused.status_code
    try:
        found = service.citizen_status(db, secret, code, birth_date, client)
    except MajalError as refused:
        return render(request, "registry/status_form.html", {"values": values, "error": error or refused.translated()},
                      status_code=status_code if error else refused.status_code)
    return _status_page(request, found, values, error=error, done=done, status_code=status_code)


def household_label(household: Household) -> str:
    return household.tracking_code
