"""Encryption of personal data at rest (contact details), with a key derived from the instance's secret."""

from __future__ import annotations

import base64
import json
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


@cache
def _fernet(secret: str, purpose: str) -> Fernet:
    """One key per purpose, so a key leaked from one use opens nothing else."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"majal:{purpose}".encode()).derive(
        secret.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, purpose: str, value: dict[str, Any]) -> str:
    return _fernet(secret, purpose).encrypt(json.dumps(value, ensure_ascii=False).encode("utf-8")).decode("ascii")


def unseal(secret: str, purpose: str, token: str) -> dict[str, Any]:
    try:
        return json.loads(_fernet(secret, purpose).decrypt(token.encode("ascii")))
    except InvalidToken as error:
        raise ValueError("sealed data does not open with this instance's key") from error
