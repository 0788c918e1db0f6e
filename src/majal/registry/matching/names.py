"""Moroccan name keys: one phonetic Latin key for a name written in Arabic script or in French/English spellings.

`name_key("Mohammed") == name_key("Mhamed") == name_key("محمد") == "mhmd"`.

The key is a consonant skeleton, because that is what both scripts agree on: Arabic writes consonants and long vowels
and leaves short vowels out, while Latin spellings write every vowel, long or short, each in its own way (Mohammed,
Muhammad, Mhamed).  So, in both scripts:

- vowels are dropped: Latin a e i o u, and Arabic ا ى ة (and the hamza carriers أ إ آ ؤ ئ ء) and ع, which Latin
  spellings write as a vowel (Omar / عمر, Aicha / عائشة);
- و and ي, and Latin w, y and "ou" are dropped too, except at the very start of the name (Youssef / يوسف → "ysf",
  Walid / Oualid / وليد → "wld"): inside a name neither script tells a consonant (Marwane, Maryam) from a long vowel
  (Youssef, Said), so the key does not try;
- the article is dropped, whether written (El Fassi, الفاسي), assimilated to a sun letter (Abde-r-rahmane,
  Ezzahra, عبد الرحمان, الزهراء) or joined (Elidrissi, عبدالرحمان), and Moroccan spellings that keep only its l before
  a consonant (Lhoussine, Lmahdi) lose that l: El Houssine = Lhoussine = الحسين = "hsn";
- letters that French and English spell differently become one symbol: ch/sh/ش → "S", kh/خ → "X", gh/غ → "g",
  dj/j/ج → "j", q/k/ق/ك → "k", c → "s" before e/i/y and "k" elsewhere, ph/f/ف → "f", p → "b", v → "f";
  ص س → "s", ض ذ ظ → "d", ط ت → "t", ث and Latin "th" → "th" (Othmane / عثمان, Fathi / فتحي, Thami / التهامي);
- a final h (ه, ح, or the ه typed for a ta marbuta: فاطمه) is dropped at the end of each word, and ة is dropped
  except after ا, where it is said: حياة → Hayat;
- doubled letters become single (Mohammed, Youssef, Abderrahmane) and spaces, hyphens and apostrophes are ignored, so
  compound names compare the same written together or apart (Fatima Zahra / Fatimazahra, Ben Ali / Benali).

Decided and documented: Lahcen (لحسن, al-Ḥasan said with its l) keeps the l, "lhsn", while Lhoussine / El Houssine
(الحسين, al-Ḥusayn) is "hsn": the two are different names, so their keys differ, but only by one letter (their key
Jaro-Winkler similarity is 0.92), which the matching model uses as "close".  Since vowels are dropped, Hassan and
Houssine share "hsn", and Younes ("yns") is kept apart from Anas ("ns") only by the initial y: the key is a phonetic
skeleton, and the matching model also compares the names as written.

`full_name_key(first, last)` is order-insensitive, for given and family names written the wrong way round.
Everything here is pure Python (no I/O), so it runs the same in the CLI, in the DuckDB pipeline and on Spark.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["full_name_key", "is_arabic", "name_key", "normalize_name"]

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3\u06FA-\u06FF\u0750-\u077F]")
_ARABIC_MARKS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")  # harakat, shadda, tatweel
_SEPARATORS = re.compile(r"[\s\-_'’‘ʼ`´.,/()]+")
_LATIN_ONLY = re.compile(r"[^a-z]")
_DOUBLED = re.compile(r"(.)\1+")
_ABD_ARTICLE = re.compile(r"abd(?:e|a|ou|u|i)l")
_VOWEL = frozenset("aeiouy")

# Latin: digraphs first (longest first), then single letters.  "G" stands for gh (غ) until g itself becomes k.
_LATIN_DIGRAPHS = (
    ("sch", "S"), ("ch", "S"), ("sh", "S"), ("kh", "X"), ("gh", "G"), ("dj", "j"), ("ph", "f"), ("ck", "k"),
)
_SOFT_C = re.compile(r"c(?=[eiy])")
_SOFT_G = re.compile(r"g(?=[eiy])")
_LATIN_LETTERS = str.maketrans({
    "c": "k", "q": "k", "v": "f", "p": "b", "g": "k", "G": "g",
    "a": None, "e": None, "i": None, "o": None, "u": None, "w": None, "y": None,
})
_LATIN_LETTERS_WITH_GLIDES = str.maketrans({"c": "k", "q": "k", "v": "f", "p": "b", "g": "k", "G": "g",
                                            "a": None, "e": None, "i": None, "o": None, "u": None})
_LATIN_ARTICLES = frozenset({"el", "al", "l", "ul", "il"})
_LATIN_NOT_ARTICLE = frozenset({"elias", "eliass", "elyas", "elyass", "elham", "elhame", "elie", "elise", "ella"})
_ARABIZI = str.maketrans({"3": "", "2": "", "7": "h", "9": "q", "5": "kh", "6": "t", "8": "gh"})
_ABBREVIATIONS = {"med": "mohamed", "mhd": "mohamed", "mohd": "mohamed", "md": "mohamed"}

# Arabic script.
_ARABIC_LETTERS = str.maketrans({
    "ا": None, "أ": None, "إ": None, "آ": None, "ٱ": None, "ء": None, "ؤ": None, "ئ": None, "ى": None, "ع": None,
    "و": None, "ي": None, "ی": None, "ة": None, "ۀ": None,
    "ب": "b", "پ": "b", "ت": "t", "ط": "t", "ث": "t", "ج": "j", "چ": "S", "ح": "h", "ه": "h", "ھ": "h", "خ": "X",
    "د": "d", "ذ": "d", "ض": "d", "ظ": "d", "ر": "r", "ز": "z", "ژ": "z", "س": "s", "ص": "s", "ش": "S", "غ": "g",
    "ڭ": "k", "گ": "k", "ݣ": "k", "ف": "f", "ڤ": "f", "ۋ": "f", "ق": "k", "ك": "k", "ک": "k", "ل": "l", "م": "m",
    "ن": "n",
})
_ARABIC_ARTICLE = "ال"
_ARABIC_NOT_ARTICLE = frozenset({"الياس", "الهام", "اليسع", "اليزيد", "اليازيد"})
_ARABIC_NORMAL = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ى": "ي", "ی": "ي", "ة": "ه", "ۀ": "ه", "ھ": "ه",
    "ک": "ك", "ڭ": "گ", "ݣ": "گ",
})


def is_arabic(text: str) -> bool:
    """Whether the text has any letter in Arabic script."""
    return _ARABIC_LETTER.search(text) is not None


def _tokens(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return [token for token in _SEPARATORS.split(folded) if token]


def _strip_accents(token: str) -> str:
    token = token.replace("ç", "s").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _latin_word(token: str) -> str:
    token = _strip_accents(token)
    if any(ch.isdigit() for ch in token) and any(ch.isalpha() for ch in token):
        token = token.translate(_ARABIZI)  # "Mo7amed", "3ali"
    token = _LATIN_ONLY.sub("", token)
    return _ABBREVIATIONS.get(token, token)


def _latin_skeleton(words: list[str], glides: bool = False) -> str:
    kept: list[str] = []
    for index, word in enumerate(words):
        if word in _LATIN_ARTICLES and index + 1 < len(words):
            continue  # "El Fassi", "Al Amrani", "L Houssine"
        if word.startswith("el") and len(word) > 3 and word not in _LATIN_NOT_ARTICLE:
            word = word[2:]  # "Elidrissi", "Elhoussine"
        elif len(word) > 3 and word[0] == "l" and word[1] not in _VOWEL and word[1] not in "lw":
            word = word[1:]  # "Lhoussine", "Lmahdi": the article's l before a consonant
        word = word.replace("x", "ks")
        for digraph, symbol in _LATIN_DIGRAPHS:
            word = word.replace(digraph, symbol)
        kept.append(_SOFT_G.sub("j", _SOFT_C.sub("s", word)))
    text = _ABD_ARTICLE.sub("abd", "".join(kept))  # Abdelkader, Abdelrahman, Abdallah
    if len(text) > 2 and text[-1] == "h" and text[-2] in _VOWEL:
        text = text[:-1]  # Abdellah / عبد الله, Salah / صلاح, Wajih / وجيه: a final h sound, dropped in both scripts
    if not text:
        return ""
    head = ""
    if text[0] in "yw":
        head, text = text[0], text[1:]
    elif text.startswith("ou") and len(text) > 2 and text[2] in _VOWEL:
        head, text = "w", text[2:]  # "Ouafae" / وفاء, "Oualid" / وليد
    return head + text.translate(_LATIN_LETTERS_WITH_GLIDES if glides else _LATIN_LETTERS)


def _arabic_word(token: str) -> str:
    if token == _ARABIC_ARTICLE:
        return ""
    token = _ARABIC_MARKS.sub("", token)
    token = "".join(ch for ch in token if _ARABIC_LETTER.match(ch))
    if len(token) > 2 and token[-1] == "ه":
        token = token[:-1]  # فاطمه (a ta marbuta typed as ha); before the article, so الله → "l", like Abdellah
    if token.startswith("ال") and len(token) > 3 and token not in _ARABIC_NOT_ARTICLE:
        token = token[2:]
    elif token.startswith("عبدال") and len(token) > 5:
        token = "عبد" + token[5:]
    return token


def _arabic_skeleton(words: list[str], glides: bool = False) -> str:
    text = "".join(words)
    if len(text) > 2 and text[-1] == "ح":
        text = text[:-1]  # صلاح / Salah
    if not text:
        return ""
    head = ""
    if text[0] == "و":
        head, text = "w", text[1:]
    elif text[0] in "يی":
        head, text = "y", text[1:]
    text = text.replace("اة", "ات")  # حياة → Hayat
    if glides:
        text = text.replace("و", "w").replace("ي", "y").replace("ی", "y")
    return head + text.translate(_ARABIC_LETTERS)


@lru_cache(maxsize=1 << 18)
def name_key(text: str | None) -> str:
    """The phonetic key of one name (given or family, simple or compound), in either script; "" when there is none."""
    if not text:
        return ""
    tokens = _tokens(text)
    if tokens and all(token.isdigit() for token in tokens):
        return "".join(tokens)
    groups: list[tuple[bool, list[str]]] = []
    for token in tokens:
        arabic = is_arabic(token)
        word = _arabic_word(token) if arabic else _latin_word(token)
        if groups and groups[-1][0] == arabic:
            groups[-1][1].append(word)
        else:
            groups.append((arabic, [word]))
    for glides in (False, True):  # a name of vowels and glides only (Aya, آية) keeps its y and w
        key = "".join(
            _arabic_skeleton(words, glides) if arabic else _latin_skeleton(words, glides) for arabic, words in groups
        )
        if key:
            # t or d then h is one sound in Latin spellings (Othmane, Kaouthar) and in neither script a reason to
            # tell names apart (Fathi / فتحي, Thami / التهامي, Abdelhak / عبد الحق)
            return _DOUBLED.sub(r"\1", key.replace("th", "t").replace("dh", "d"))
    return ""


def full_name_key(first: str | None, last: str | None) -> str:
    """A key for a whole name that does not depend on which field holds the given name and which the family name."""
    keys = sorted(key for key in (name_key(first), name_key(last)) if key)
    return " ".join(keys)


@lru_cache(maxsize=1 << 18)
def normalize_name(text: str | None) -> str:
    """The name as written, made comparable: case, accents, Arabic diacritics, hamza and ta marbuta forms, spaces."""
    if not text:
        return ""
    tokens = _tokens(text)
    out: list[str] = []
    for token in tokens:
        if is_arabic(token):
            token = _ARABIC_MARKS.sub("", token).translate(_ARABIC_NORMAL)
            out.append("".join(ch for ch in token if _ARABIC_LETTER.match(ch)))
        else:
            out.append(_LATIN_ONLY.sub("", _strip_accents(token)) if not token.isdigit() else token)
    return "".join(out)
