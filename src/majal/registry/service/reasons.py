"""Reasons given for reads and changes, and text fit to be stored (no control characters)."""

from __future__ import annotations

import re

from majal.kit.errors import MajalError
from majal.kit.i18n import N_

READ_REASON_LIMIT = 200
MOVE_REASON_LIMIT = CORRECTION_REASON_LIMIT = 2000
# C0 control characters other than tab and line breaks: never typed by a person, and NUL is refused by PostgreSQL
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def reason_problem(reason: str, limit: int, missing: str) -> MajalError | None:
    if not reason:
        return MajalError(missing, where="reason")
    if len(reason) > limit:
        return MajalError(N_("Must be at most %(limit)s characters long."), where="reason", limit=limit)
    if CONTROL_CHARACTERS.search(reason):
        return MajalError(N_("The reason contains characters that cannot be stored (control characters)."),
                          where="reason")
    return None
