"""Keep secrets out of logs: request lines lose the values of secret query parameters."""

from __future__ import annotations

import logging
import re

SECRET_PARAMETERS = ("api_key", "apikey", "key", "token", "password", "secret")
_SECRET_QUERY = re.compile(r"(?i)([?&](?:" + "|".join(SECRET_PARAMETERS) + r")=)[^&#\s]*")


def redact_url(text: str) -> str:
    return _SECRET_QUERY.sub(r"\1[redacted]", text)


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
