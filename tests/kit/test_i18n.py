"""Every user-facing string is translated in Arabic, French and English, and pages follow the chosen language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from majal.kit.i18n import CATALOG_DIR, LANGUAGES, negotiate

SOURCE = Path(__file__).resolve().parents[2] / "src"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(SOURCE),
        METHODS,
        options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_extraction_finds_the_messages() -> None:
    messages = source_messages()
    assert "Staff sign-in" in messages  # a template string
    assert "Wrong username or password." in messages  # a Python string marked with N_


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    with (CATALOG_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    missing, fuzzy, broken = [], [], []
    for message_id in sorted(source_messages()):
        entry = catalog.get(message_id)
        if entry is None or not entry.string:
            missing.append(message_id)
        elif entry.fuzzy:
            fuzzy.append(message_id)
        elif set(PLACEHOLDER.findall(message_id)) != set(PLACEHOLDER.findall(str(entry.string))):
            broken.append(message_id)
    assert not missing, f"{language}: untranslated (run `make messages`, then translate): {missing}"
    assert not fuzzy, f"{language}: fuzzy translations to review: {fuzzy}"
    assert not broken, f"{language}: placeholders differ from the source: {broken}"


@pytest.mark.parametrize(
    ("query", "cookie", "header", "expected"),
    [
        ("ar", None, "fr", "ar"),
        (None, "en", "ar", "en"),
        (None, None, "fr-FR,fr;q=0.9", "fr"),
        (None, None, "de-DE, ar-MA;q=0.5", "ar"),
        (None, None, "de-DE", "fr"),
        ("xx", "yy", "zz", "fr"),
        (None, None, "en;q=garbage, " * 50, "fr"),  # malformed weights count as refusals
    ],
)
def test_language_negotiation(query, cookie, header, expected) -> None:
    assert negotiate(query, cookie, header, "fr") == expected


@pytest.mark.parametrize(
    ("lang", "direction", "word"),
    [
        ("ar", "rtl", "دخول الموظفين"),
        ("fr", "ltr", "Connexion du personnel"),
        ("en", "ltr", "Staff sign-in"),
    ],
)
def test_pages_carry_language_and_direction(client: TestClient, lang: str, direction: str, word: str) -> None:
    page = client.get(f"/login?lang={lang}")
    assert f'<html lang="{lang}" dir="{direction}">' in page.text
    assert word in page.text
    assert page.headers["content-language"] == lang
    again = client.get("/login")  # the choice is remembered in a cookie
    assert f'<html lang="{lang}"' in again.text
