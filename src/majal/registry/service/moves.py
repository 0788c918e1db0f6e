"""Moving a household to another commune: a programme officer's action, with a reason, in the history of both
communes; the commune decides which social workers see the household."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from majal.accounts import service as accounts
from majal.kit import audit
from majal.kit.audit import utcnow
from majal.kit.errors import Forbidden, MajalError, NotFound
from majal.kit.i18n import N_
from majal.kit.security import Role, StaffMember
from majal.registry import repository
from majal.registry.models import FieldChange
from majal.registry.service.access import OFFICER_ROLES, check_officer, check_registry_staff
from majal.registry.service.corrections import InvalidFields
from majal.registry.service.reasons import CONTROL_CHARACTERS, MOVE_REASON_LIMIT, reason_problem
from majal.territory import service as territory

COMMUNE_CODE_LIMIT = 32


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


def move_household(db: Session, user: StaffMember, household_id: int, *, commune: str, reason: str,
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
    refused = reason_problem(reason, MOVE_REASON_LIMIT, N_("Say why the household moves."))
    if refused is not None:
        problems.append(refused)
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


def household_moves(db: Session, user: StaffMember, household_id: int, ip: str | None = None) -> Moves:
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
