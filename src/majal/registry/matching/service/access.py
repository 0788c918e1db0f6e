"""Who may do what: social workers their commune's records, programme officers and admins every commune's."""

from __future__ import annotations

from sqlalchemy.orm import Session

from majal.kit.errors import Forbidden, NotFound
from majal.kit.i18n import N_
from majal.kit.security import Role, StaffMember
from majal.kit.validation import MAX_ROW_ID
from majal.registry.matching import repository
from majal.registry.matching.models import MatchPair


def scope(user: StaffMember) -> str | None:
    """The commune whose records the user may see (None: every commune), or Forbidden."""
    if user.role in (Role.admin, Role.programme_officer):
        return None
    if user.role == Role.social_worker:
        return user.commune_code or ""
    raise Forbidden(N_("Your role does not give access to this page."))


def check_commune(user: StaffMember, commune: str) -> None:
    allowed = scope(user)
    if allowed is not None and allowed != commune:
        raise Forbidden(N_("These records are not in your commune."))


def pair_for(db: Session, user: StaffMember, pair_id: int) -> MatchPair:
    scope(user)
    pair = repository.match_pair(db, pair_id) if 0 < pair_id <= MAX_ROW_ID else None
    if pair is None:
        raise NotFound(N_("No pair has this number."))
    check_commune(user, pair.commune)
    members = [i for i in (pair.left_member_id, pair.right_member_id) if i is not None]
    allowed = scope(user)
    if allowed is not None and repository.member_communes(db, members) - {allowed}:
        # the pair was found in this commune, but a household of it has moved since: its records are not ours
        raise Forbidden(N_("These records are not in your commune."))
    return pair
