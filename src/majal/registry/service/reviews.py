"""Reviews of a household's index, opened by the household (with its tracking code) or by a social worker, closed
with an outcome the household is told; and what a household may see of its own file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from majal.kit import audit, crypto, outbox, ratelimit
from majal.kit.audit import utcnow
from majal.kit.errors import Conflict, MajalError, NotFound
from majal.kit.i18n import LANGUAGES, N_, gettext, language
from majal.kit.security import Role, StaffMember
from majal.registry import labels, repository
from majal.registry.models import FieldChange, Household, Review
from majal.registry.pmt.programmes import AsdBreakdown
from majal.registry.service.access import check_registry_staff, household_for
from majal.registry.service.households import ProgrammeView, view_of
from majal.registry.service.identifiers import CONTACT_PURPOSE, normalise_tracking_code

LOOKUP_LIMIT, LOOKUP_WINDOW = 10, timedelta(hours=1)
REVIEW_LIMIT, REVIEW_WINDOW = 3, timedelta(days=1)
BAD_LOOKUP = N_("No household matches this tracking code and birth date.")


def open_reviews(db: Session, user: StaffMember) -> list[Review]:
    check_registry_staff(user)
    return repository.open_reviews(db, None if user.role == Role.admin else user.commune_code or "")


def open_review_of(db: Session, found: Household, review_id: int) -> Review:
    review = repository.review(db, review_id)
    if review is None or review.household_id != found.id:
        raise NotFound(N_("No review of this household has this number."), where="review_id")
    if review.status != "open":
        raise Conflict(N_("This review is already closed."), where="review_id")
    return review


def review_for(db: Session, user: StaffMember, review_id: int) -> Review:
    review = repository.review(db, review_id)
    if review is None:
        raise NotFound(N_("No review has this number."))
    household_for(db, user, review.household_id)
    return review


def open_review_by_staff(db: Session, user: StaffMember, household_id: int, reason: str,
                         ip: str | None = None) -> Review:
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


def close_review(db: Session, user: StaffMember, review_id: int, outcome: str, *, secret: str,
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
    view = view_of(db, found, secret=secret, identifiers=False)
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
