"""A request's life: which status may follow which, and what Open311 calls each."""

from __future__ import annotations

from enum import StrEnum

from majal.kit.i18n import N_


class Status(StrEnum):
    new = "new"
    acknowledged = "acknowledged"
    in_progress = "in_progress"
    resolved = "resolved"
    closed = "closed"
    rejected = "rejected"
    duplicate = "duplicate"


OPEN = frozenset({Status.new, Status.acknowledged, Status.in_progress})

NEXT: dict[Status, frozenset[Status]] = {
    Status.new: frozenset(
        {Status.acknowledged, Status.in_progress, Status.resolved, Status.rejected, Status.duplicate}
    ),
    Status.acknowledged: frozenset({Status.in_progress, Status.resolved, Status.rejected, Status.duplicate}),
    Status.in_progress: frozenset({Status.resolved, Status.rejected, Status.duplicate}),
    Status.resolved: frozenset({Status.closed, Status.in_progress}),  # reopened when the fix did not hold
    Status.closed: frozenset(),
    Status.rejected: frozenset(),
    Status.duplicate: frozenset(),
}

LABELS = {
    Status.new: N_("New"),
    Status.acknowledged: N_("Acknowledged"),
    Status.in_progress: N_("In progress"),
    Status.resolved: N_("Resolved"),
    Status.closed: N_("Closed"),
    Status.rejected: N_("Rejected"),
    Status.duplicate: N_("Duplicate"),
}


def open311_status(status: str) -> str:
    return "open" if status in OPEN else "closed"


def can_move(current: str, target: str) -> bool:
    return Status(target) in NEXT[Status(current)]
