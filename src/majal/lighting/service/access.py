"""Who works on lamps and their work orders."""

from __future__ import annotations

from majal.kit.errors import Forbidden
from majal.kit.i18n import N_
from majal.kit.security import Role, StaffMember


def check_lighting_staff(user: StaffMember) -> None:
    """Lighting agents, managers and admins work on lamps and their work orders."""
    if user.role in (Role.admin, Role.manager):
        return
    if user.role == Role.agent and user.department == "lighting":
        return
    raise Forbidden(N_("Public lighting is for the lighting department's agents, managers and administrators."))
