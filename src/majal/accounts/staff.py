"""The roles and departments staff accounts can have: the ones the installed domains declare (`Domain.roles`,
`Domain.departments`), with their labels in the reader's language."""

from __future__ import annotations

from majal import domains as installed
from majal.kit.i18n import gettext


def roles() -> dict[str, str]:
    """code -> untranslated label"""
    return installed.roles()


def departments() -> dict[str, str]:
    """code -> untranslated label"""
    return installed.departments()


def role_label(code: str) -> str:
    """The role's name in the reader's language (the code itself for a role no installed domain declares)."""
    label = roles().get(code)
    return gettext(label) if label else code


def department_label(code: str) -> str:
    label = departments().get(code)
    return gettext(label) if label else code
