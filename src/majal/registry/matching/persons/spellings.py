"""Names and details as records write them: the frequency tables parsed into names, family names built the
Moroccan way, communes with distinct name keys, and the usual departures from the truth (a spelling among several,
typing errors, wrong dates, phones in any format)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from majal.registry.matching.names import name_key
from majal.registry.matching.persons.tables import BUILT_FROM, COMMUNE_PREFIXES, COMMUNES, FAMILY, MALE

_LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
_ARABIC_CONFUSIONS = (("ة", "ه"), ("ى", "ي"), ("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ؤ", "و"), ("ئ", "ي"))

@dataclass(frozen=True)
class Name:
    arabic: tuple[str, ...]
    latin: tuple[str, ...]


def communes(count: int) -> list[tuple[str, str]]:
    """`count` communes, (Latin, Arabic): the towns first, then rural communes, each name key different."""
    found = list(COMMUNES)
    keys = {name_key(latin) for latin, _ in found}
    for prefix_latin, prefix_arabic in COMMUNE_PREFIXES:
        for root_arabic, root_latin in name_roots():
            latin, arabic = f"{prefix_latin} {root_latin}", f"{prefix_arabic} {root_arabic}"
            key = name_key(latin)
            if key == name_key(arabic) and key not in keys:
                keys.add(key)
                found.append((latin, arabic))
    return found[:max(1, count)]


def name_table(text: str) -> tuple[list[Name], list[float]]:
    names, weights = [], []
    for line in text.strip().splitlines():
        arabic, latin, weight = line.split("|")
        names.append(Name(tuple(arabic.split(";")), tuple(latin.split(","))))
        weights.append(float(weight))
    return names, weights


def name_roots() -> list[tuple[str, str]]:
    roots: list[tuple[str, str]] = []
    for base in BUILT_FROM:
        arabic, latin = base.split("|")
        roots.append((arabic, latin))
    for name in name_table(MALE)[0]:
        arabic = name.arabic[0]
        if " " not in arabic and not arabic.startswith("ال") and " " not in name.latin[0]:
            roots.append((arabic, name.latin[0]))
    return list(dict.fromkeys(roots))


def family_table() -> tuple[list[Name], list[float]]:
    """About 200 common family names, then a long tail built the Moroccan way: Ben-, Bou-, Ait + a name, a nisba
    (El Berkani, Ahmadi), a given name as family name.  The tail keeps namesakes as rare as they are in life."""
    names, weights = name_table(FAMILY)
    weights = [weight / 2 for weight in weights]
    seen = {name_key(name.latin[0]) for name in names}
    built: list[Name] = []
    for arabic, latin in name_roots():
        lower = latin.lower()
        built.append(Name(("بن" + arabic, "بن " + arabic), ("Ben" + lower, "Ben " + latin)))
        built.append(Name(("أيت " + arabic, "ايت " + arabic), ("Ait " + latin, "Aït " + latin)))
        if lower[0] not in "aeiou":
            built.append(Name(("بو" + arabic,), ("Bou" + lower,)))
        if lower[-1] not in "aeiouy":
            stem = arabic[:-1] if arabic[-1] in "ىاة" else arabic
            built.append(Name(("ال" + stem + "ي",), (latin + "i", "El " + latin + "i")))
        built.append(Name((arabic,), (latin,)))
    for latin, arabic in COMMUNES:
        if " " in latin:
            continue
        stem_latin = latin[:-1] if latin[-1] in "ae" else latin
        stem_arabic = arabic[2:] if arabic.startswith("ال") else arabic
        stem_arabic = stem_arabic[:-1] if stem_arabic[-1] in "ةا" else stem_arabic
        built.append(Name(("ال" + stem_arabic + "ي",), (stem_latin + "i", "El " + stem_latin + "i")))
    for name in built:
        keys = {name_key(text) for text in (*name.arabic, *name.latin)}
        if len(keys) == 1 and not keys & seen:
            seen |= keys
            names.append(name)
            weights.append(4.0)
    return names, weights


def spelling(name: Name, rng: random.Random, arabic: bool) -> str:
    if arabic:
        text = name.arabic[0] if len(name.arabic) == 1 or rng.random() < 0.6 else rng.choice(name.arabic[1:])
        if rng.random() < 0.25:  # typed without hamza, ta marbuta as ha: a variant, not an error
            for right, typed in _ARABIC_CONFUSIONS:
                if right in text and rng.random() < 0.6:
                    text = text.replace(right, typed)
        return text
    latin = name.latin
    text = latin[0] if len(latin) == 1 or rng.random() < 0.5 else rng.choice(latin)
    if rng.random() < 0.08:
        text = text.upper()
    return text


def typo(text: str, rng: random.Random) -> str:
    letters = _ARABIC_LETTERS if any("\u0600" <= ch <= "\u06ff" for ch in text) else _LATIN_LETTERS
    if len(text) < 3:
        return text
    position = rng.randrange(1, len(text))  # the first letter is rarely mistyped
    kind = rng.random()
    if kind < 0.3:
        return text[:position] + rng.choice(letters) + text[position + 1:]
    if kind < 0.55:
        return text[:position] + text[position + 1:]
    if kind < 0.75:
        return text[:position] + rng.choice(letters) + text[position:]
    if kind < 0.9 and position < len(text) - 1:
        return text[:position] + text[position + 1] + text[position] + text[position + 2:]
    return text[:position] + text[position] + text[position:]  # a doubled letter


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def date_error(true: date, rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.3 and true.day <= 12 and true.day != true.month:
        return _valid(true.year, true.day, true.month) or true.isoformat()
    if kind < 0.55:
        return date(true.year, 1, 1).isoformat()  # only the year was known
    if kind < 0.75:
        return _valid(true.year + rng.choice((-1, 1)), true.month, true.day) or true.isoformat()
    text = true.isoformat()
    for _ in range(5):
        position = rng.choice((3, 6, 8, 9))
        candidate = text[:position] + str(rng.randrange(10)) + text[position + 1:]
        if candidate != text and _valid(int(candidate[:4]), int(candidate[5:7]), int(candidate[8:])):
            return candidate
    return text


def phone_as_written(number: str, rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.6:
        return "0" + number
    if kind < 0.8:
        return "+212 " + number[0] + " " + " ".join(number[i:i + 2] for i in range(1, 9, 2))
    if kind < 0.9:
        return "212" + number
    return "0" + number[0] + "-" + number[1:3] + "-" + number[3:5] + "-" + number[5:7] + "-" + number[7:]
