"""Keep secrets out of logs: request lines lose the values of secret query parameters."""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

SECRET_PARAMETERS = frozenset({"api_key", "apikey", "key", "token", "password", "secret"})
_QUERY_PARAMETER = re.compile(r"([?&])([^=&#\s]*)=([^&#\s]*)")


def redact_url(text: str) -> str:
    """Blank the value of every secret parameter, however its name is written (`API_KEY`, `api%5Fkey`, ...)."""
    return _QUERY_PARAMETER.sub(_redacted, text)


def _redacted(match: re.Match[str]) -> str:
    separator, name, _value = match.groups()
    return f"{separator}{name}=[redacted]" if _decoded(name).strip().lower() in SECRET_PARAMETERS else match.group(0)


def _decoded(name: str) -> str:
    """Percent-decoded until it no longer changes (a few rounds: `%255F` is `%5F` is `_`)."""
    for _round in range(4):
        plain = unquote_plus(name)
        if plain == name:
            break
        name = plain
    return name


class RedactSecrets(logging.Filter):
    """For Uvicorn's access log, whose request line carries the query string (Open311 sends `api_key` there)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_url(arg) if isinstance(arg, str) else arg for arg in record.args)
        record.msg = redact_url(str(record.msg))
        return True


def install() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(existing, RedactSecrets) for existing in access.filters):
        access.addFilter(RedactSecrets())
