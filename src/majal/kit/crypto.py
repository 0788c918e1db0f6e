"""Encryption of personal data at rest (contact details, national identifiers), with keys derived from the
instance's secret."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Sequence
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
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


# Many short values at once (national identifiers of a whole population): AES-256-GCM is about ten times faster
# than Fernet per value, and each value is sealed alone, so one can be opened without the others.
_GCM_PREFIX = "g1:"


@cache
def _gcm(secret: str, purpose: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"majal:gcm:{purpose}".encode()).derive(
        secret.encode("utf-8"))
    return AESGCM(key)


def seal_texts(secret: str, purpose: str, values: Sequence[str]) -> list[str]:
    """Seal each text on its own (random 96-bit nonce, the purpose as associated data)."""
    cipher, aad = _gcm(secret, purpose), purpose.encode()
    nonces = os.urandom(12 * len(values))
    return [
        _GCM_PREFIX + base64.urlsafe_b64encode(
            nonces[12 * i:12 * i + 12] + cipher.encrypt(nonces[12 * i:12 * i + 12], value.encode("utf-8"), aad)
        ).decode("ascii")
        for i, value in enumerate(values)
    ]


def unseal_text(secret: str, purpose: str, token: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(token.removeprefix(_GCM_PREFIX).encode("ascii"))
        return _gcm(secret, purpose).decrypt(raw[:12], raw[12:], purpose.encode()).decode("utf-8")
    except (InvalidTag, ValueError) as error:
        raise ValueError("sealed data does not open with this instance's key") from error
