"""Who may see a household: admins every one, a social worker those of their commune; officers run programmes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from majal.kit.errors import Forbidden, NotFound
from majal.kit.i18n import N_, format_moment
from majal.kit.security import Role, StaffMember
from majal.registry import repository
from majal.registry.models import FieldChange, Household

STAFF_REGISTRY_ROLES = (Role.social_worker,)
OFFICER_ROLES = (Role.programme_officer,)


class HouseholdMoved(Forbidden):
    """A household that left the caller's commune: the answer says where it went, not only that it is refused."""

    code = "household_moved"


def may_see_households(user: StaffMember) -> bool:
    return user.role == Role.admin or user.role in STAFF_REGISTRY_ROLES


def check_household_access(user: StaffMember, household: Household) -> None:
    """Admins see every household; a social worker only those of their own commune."""
    if user.role == Role.admin:
        return
    if user.role in STAFF_REGISTRY_ROLES and user.commune_code and user.commune_code == household.commune:
        return
    raise Forbidden(N_("This household is not in your commune."))


def check_registry_staff(user: StaffMember) -> None:
    if not may_see_households(user):
        raise Forbidden(N_("Your role does not give access to this page."))


def check_calculator(user: StaffMember) -> None:
    """The entitlement calculator is for the registry's staff: social workers and programme officers."""
    if not may_see_households(user) and user.role not in OFFICER_ROLES:
        raise Forbidden(N_("Your role does not give access to this page."))


def check_officer(user: StaffMember) -> None:
    if user.role != Role.admin and user.role not in OFFICER_ROLES:
        raise Forbidden(N_("Your role does not give access to this page."))


def check_household_exists(db: Session, household_id: int) -> None:
    if repository.household(db, household_id) is None:
        raise NotFound(N_("No household has this number."))


def household_for(db: Session, user: StaffMember, household_id: int) -> Household:
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


def _move_out_of(db: Session, user: StaffMember, household_id: int) -> FieldChange | None:
    """The latest move of the household out of the user's commune, if they are a social worker of such a commune."""
    if user.role not in STAFF_REGISTRY_ROLES or not user.commune_code:
        return None
    return next((m for m in repository.commune_moves(db, household_id) if m.old_value == user.commune_code), None)
