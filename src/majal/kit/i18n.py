"""Translations for Arabic, French and English, chosen per request.

Catalogs live as `.po` files under `majal/translations/`; they are compiled in memory when first used, so there is no
build step and no stale `.mo` file.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_datetime, format_timedelta, get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LANGUAGES: tuple[str, ...] = ("ar", "fr", "en")
RTL_LANGUAGES = frozenset({"ar"})
LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}
CATALOG_DIR = Path(__file__).resolve().parent.parent / "translations"

_current_language: ContextVar[str] = ContextVar("majal_language", default="en")


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (it is translated where it is shown)."""
    return message


@cache
def translations(language: str) -> Translations:
    path = CATALOG_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return Translations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def current_language() -> str:
    return _current_language.get()


def set_language(language: str) -> None:
    _current_language.set(language if language in LANGUAGES else "en")


@contextmanager
def language(lang: str) -> Iterator[None]:
    token = _current_language.set(lang if lang in LANGUAGES else "en")
    try:
        yield
    finally:
        _current_language.reset(token)


def gettext(message: str, **params: Any) -> str:
    text = translations(current_language()).ugettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(current_language()).ungettext(singular, plural, n)
    return text % {"num": n, **params}


_ = gettext


def text_direction(lang: str) -> str:
    return "rtl" if lang in RTL_LANGUAGES else "ltr"


def localized_name(record: Mapping[str, Any] | object, lang: str | None = None, field: str = "name") -> str:
    """Pick `<field>_<lang>` (name_fr, description_ar…) from a record or a dict, falling back to French, then Arabic,
    then English."""
    lang = lang or current_language()
    for candidate in (lang, "fr", "ar", "en"):
        key = f"{field}_{candidate}"
        value = record.get(key) if isinstance(record, Mapping) else getattr(record, key, None)
        if value:
            return str(value)
    return ""


BABEL_LOCALES = {"ar": "ar_MA", "fr": "fr_MA", "en": "en"}  # Moroccan Arabic uses Western digits
TIMEZONE = get_timezone("Africa/Casablanca")


def format_moment(value: datetime, style: str = "medium") -> str:
    return format_datetime(value, style, tzinfo=TIMEZONE, locale=BABEL_LOCALES[current_language()])


def format_duration(value: timedelta) -> str:
    """"3 hours", "2 days": how long, never signed (the sentence around it says early or late)."""
    return format_timedelta(abs(value), threshold=1.5, locale=BABEL_LOCALES[current_language()])


def format_number(value: float | int, decimals: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=BABEL_LOCALES[current_language()])


def negotiate(requested: str | None, cookie: str | None, accept_language: str | None, default: str) -> str:
    """Choose the language: explicit request, then the saved choice, then the browser's preference."""
    for choice in (requested, cookie):
        if choice in LANGUAGES:
            return choice
    if accept_language:
        wanted = _parse_accept_language(accept_language)
        best = Locale.negotiate(wanted, list(LANGUAGES), sep="-")
        if best is not None:
            return best.language
    return default if default in LANGUAGES else "en"


def _parse_accept_language(header: str) -> list[str]:
    weighted: list[tuple[float, str]] = []
    for part in header.split(",")[:20]:
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((quality, tag.split("-")[0].lower()))
    return [tag for _q, tag in sorted(weighted, key=lambda item: -item[0])]
