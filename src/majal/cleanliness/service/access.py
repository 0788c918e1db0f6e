"""Who works on waste collection."""

from __future__ import annotations

from majal.kit.errors import Forbidden
from majal.kit.i18n import N_
from majal.kit.security import Role, StaffMember


def may_plan(user: StaffMember) -> bool:
    """Admins, managers, and agents of the cleanliness department."""
    return user.role in (Role.admin, Role.manager) or (
        user.role == Role.agent and user.department == "cleanliness")


def check_cleanliness_staff(user: StaffMember) -> None:
    if not may_plan(user):
        raise Forbidden(N_("Your role does not give access to this page."))
