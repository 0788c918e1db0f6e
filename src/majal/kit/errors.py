"""Errors a user can act on: an English message id, translated where it is shown, and an HTTP status."""

from __future__ import annotations

from typing import Any

from majal.kit.i18n import gettext


class MajalError(Exception):
    """A refusal with a translatable message; raised before anything is written."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self, message: str, *, where: str | None = None, status_code: int | None = None, **params: Any
    ):
        super().__init__(message)
        self.message = message
        self.where = where
        self.params = params
        if status_code is not None:
            self.status_code = status_code

    def translated(self) -> str:
        text = gettext(self.message, **self.params)
        return f"{self.where}: {text}" if self.where else text

    def __str__(self) -> str:
        text = self.message % self.params if self.params else self.message
        return f"{self.where}: {text}" if self.where else text


class NotFound(MajalError):
    status_code = 404
    code = "not_found"


class Unauthorized(MajalError):
    status_code = 401
    code = "unauthorized"


class Forbidden(MajalError):
    status_code = 403
    code = "forbidden"


class TooManyRequests(MajalError):
    status_code = 429
    code = "too_many_requests"


class Conflict(MajalError):
    status_code = 409
    code = "conflict"
