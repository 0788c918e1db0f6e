"""Why a population is refused: the file, the row (1 = first record) and the field of the first bad value."""

from __future__ import annotations

from typing import Any

from majal.kit.errors import MajalError
from majal.kit.i18n import gettext


class RegistryDataError(MajalError):
    """A bad household or member record: says which file, which row (1 = first record) and which field."""

    code = "invalid_registry_data"

    def __init__(self, message: str, *, source: str, row: int | None, field: str, **params: Any):
        super().__init__(message, **params)
        self.source, self.row, self.field = source, row, field

    def translated(self) -> str:
        detail = gettext(self.message, **self.params)
        if self.row is None:
            return gettext("%(source)s, field %(field)s: %(detail)s", source=self.source, field=self.field,
                           detail=detail)
        return gettext("%(source)s, row %(row)s, field %(field)s: %(detail)s", source=self.source, row=self.row,
                       field=self.field, detail=detail)

    def __str__(self) -> str:
        detail = self.message % self.params if self.params else self.message
        place = self.source if self.row is None else f"{self.source}, row {self.row}"
        return f"{place}, field {self.field}: {detail}"


class InvalidValue(RegistryDataError):
    """A value of the wrong type, outside its list, or missing."""


class UnknownRegion(InvalidValue):
    """A region code that is not one of Morocco's 12 regions."""


class NegativeAmount(InvalidValue):
    """A count or an amount of money below zero."""


class InvalidIdentifier(RegistryDataError):
    """An IDCS that is not exactly 10 digits."""


class FutureBirthDate(RegistryDataError):
    """A birth date after the reference date."""


class DuplicateHousehold(RegistryDataError):
    """The same household_id twice in the households table."""


class DuplicateMember(RegistryDataError):
    """The same IDCS twice: in two households, or twice in one."""


class UnknownHousehold(RegistryDataError):
    """A member of a household that is not in the households table."""


class HeadOfHouseholdError(RegistryDataError):
    """A household without exactly one head."""


class RegistryFileError(MajalError):
    """A population file that is missing or cannot be read."""

    code = "invalid_registry_file"
