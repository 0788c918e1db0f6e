"""Identifiers: keyed digests of IDCS and CNIE numbers (for lookups and uniqueness), and household tracking codes."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence

import numpy as np

from majal.kit import crypto
from majal.kit.security import keyed_digest

IDCS_PURPOSE = "registry-idcs"
CNIE_PURPOSE = "registry-cnie"
CONTACT_PURPOSE = "registry-contact"
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud over the phone
TRACKING_LENGTH = 12  # 60 bits: no collision in practice among millions of households
CNIE_PATTERN = re.compile(r"^[A-Z]{1,2}[0-9]{1,8}$")


def idcs_digest(secret: str, idcs: str) -> str:
    return keyed_digest(secret, f"idcs:{idcs}")


def cnie_digest(secret: str, cnie: str) -> str:
    return keyed_digest(secret, f"cnie:{cnie}")


def unseal(secret: str, purpose: str, token: str | None) -> str | None:
    return None if token is None else crypto.unseal_text(secret, purpose, token)


def new_tracking_codes(count: int, taken: Callable[[Sequence[str]], set[str]]) -> list[str]:
    """`count` fresh, distinct codes written XXXX-XXXX-XXXX; `taken` says which already exist."""
    codes: list[str] = []
    while len(codes) < count:
        wanted = count - len(codes)
        fresh = _codes(wanted) - set(codes)
        codes.extend(fresh - taken(sorted(fresh)))
    return codes


def _codes(count: int) -> set[str]:
    # 32 symbols: the low five bits of a random byte pick one uniformly
    raw = np.frombuffer(secrets.token_bytes(count * TRACKING_LENGTH), dtype=np.uint8) & 31
    letters = np.frombuffer(TRACKING_ALPHABET.encode("ascii"), dtype=np.uint8)[raw].tobytes().decode("ascii")
    return {f"{letters[i:i + 4]}-{letters[i + 4:i + 8]}-{letters[i + 8:i + 12]}"
            for i in range(0, len(letters), TRACKING_LENGTH)}


def normalise_tracking_code(code: str) -> str:
    cleaned = re.sub(r"[^A-Z0-9]", "", code.upper())[:TRACKING_LENGTH]
    return f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:]}"
