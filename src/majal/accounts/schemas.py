"""Shapes of what the accounts pages show."""

from __future__ import annotations

from pydantic import BaseModel


class StaffMember(BaseModel):
    """A staff account as the console shows it: its names and labels in the reader's language, never a secret."""

    username: str
    full_name: str
    role_label: str
    department_label: str | None
