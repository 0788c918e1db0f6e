"""Moroccan name keys: each case of issue 6 in each direction (Latin → key, Arabic → key) and across scripts."""

from __future__ import annotations

import itertools

import pytest
from typer.testing import CliRunner

from majal.cli import app
from majal.registry.matching import persons
from majal.registry.matching.names import full_name_key, is_arabic, name_key, normalize_name
from majal.registry.matching.persons import spellings as person_spellings
from majal.registry.matching.persons import tables as person_tables

runner = CliRunner()

# Every spelling in a group must give the key on the right, whichever script it is written in.
SAME = {
    "mhmd": ["Mohammed", "Mohamed", "Mhamed", "Muhammad", "M'hamed", "Mohamad", "MOHAMMED", "Mo7amed", "محمد",
             "مُحَمَّد"],
    "ysf": ["Youssef", "Yousef", "Youcef", "Yusuf", "يوسف"],
    "bdrhmn": ["Abderrahmane", "Abdelrahman", "Abderahmane", "Abd El Rahman", "Abdel Rahman", "Abd-er-Rahmane",
               "عبد الرحمان", "عبد الرحمن", "عبدالرحمان"],
    "ftm": ["Fatima", "Fatema", "Fatma", "Fatimah", "Fatéma", "فاطمة", "فاطمه"],
    "Xdj": ["Khadija", "Khadidja", "Khadîja", "خديجة", "خديجه"],
    "drs": ["Driss", "Idriss", "Idris", "إدريس", "ادريس"],
    "hsn": ["El Houssine", "Elhoussine", "Lhoussine", "Lhoucine", "الحسين"],
    "lhsn": ["Lahcen", "Lahsen", "لحسن"],
    # the article, assimilated to a sun letter or not, written or not
    "zhr": ["Zahra", "Ezzahra", "Ez-Zahra", "El Zahra", "الزهراء", "الزهرة"],
    "bdsmd": ["Abdessamad", "Abdelsamad", "عبد الصمد"],
    "bdl": ["Abdellah", "Abdallah", "Abdullah", "عبد الله", "عبدالله"],
    "bdkdr": ["Abdelkader", "Abdelqader", "عبد القادر"],
    "fs": ["Fassi", "El Fassi", "Elfassi", "الفاسي"],
    # ou / w
    "wld": ["Walid", "Oualid", "وليد"],
    "wf": ["Wafae", "Ouafae", "وفاء"],
    "rdn": ["Redouane", "Ridouane", "Redwane", "رضوان"],
    # ch / sh, kh, gh, q / k
    "hSm": ["Hicham", "Hisham", "هشام"],
    "S": ["Aicha", "Aïcha", "Aisha", "عائشة", "عايشة"],
    "gzln": ["Ghizlane", "غزلان"],
    "rkrk": ["Regragui", "الركراكي"],
    # ta marbuta: silent after a consonant, said after an alif
    "ht": ["Hayat", "Hayate", "حياة"],
    "skn": ["Soukaina", "Soukayna", "سكينة"],
    # compound names written together or apart
    "ftmzhr": ["Fatima Zahra", "Fatimazahra", "Fatima-Zahra", "Fatima Ezzahra", "FATIMA ZAHRA", "فاطمة الزهراء"],
    "bnl": ["Benali", "Ben Ali", "BEN ALI", "بنعلي", "بن علي"],
    "mhmdmn": ["Mohamed Amine", "Mohammed-Amine", "محمد أمين"],
    "slhdn": ["Salaheddine", "Salah Eddine", "صلاح الدين"],
    # doubled letters and vowels
    "b": ["Ayoub", "Ayyoub", "أيوب"],
    "mstf": ["Mustapha", "Mostafa", "Moustafa", "مصطفى"],
    "tmn": ["Othmane", "Otmane", "عثمان"],
    "ktr": ["Kaoutar", "Kawtar", "Kaouthar", "كوثر"],
    "lhm": ["Ilham", "Elham", "إلهام", "الهام"],
    "ls": ["Ilyas", "Ilias", "Elias", "إلياس", "الياس"],
    "y": ["Aya", "آية"],
    "brkn": ["Berkane", "بركان"],
}
CASES = [(key, spelling) for key, spellings in SAME.items() for spelling in spellings]


@pytest.mark.parametrize(("expected", "spelling"), CASES, ids=[f"{s}->{k}" for k, s in CASES])
def test_each_spelling_gives_its_key(expected: str, spelling: str) -> None:
    assert name_key(spelling) == expected


@pytest.mark.parametrize("key", [key for key, spellings in SAME.items() if any(map(is_arabic, spellings))])
def test_both_scripts_give_the_same_key(key: str) -> None:
    arabic = [spelling for spelling in SAME[key] if is_arabic(spelling)]
    latin = [spelling for spelling in SAME[key] if not is_arabic(spelling)]
    assert arabic and latin
    for a, b in itertools.product(arabic, latin):
        assert name_key(a) == name_key(b), (a, b)  # Arabic → Latin
        assert name_key(b) == name_key(a), (b, a)  # and back


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def test_lahcen_and_lhoussine_are_close_but_not_the_same() -> None:
    # Decided: Lahcen (لحسن, al-Hasan said with its l) and Lhoussine (الحسين, al-Husayn) are two names; their keys
    # differ by one letter, which the model's "names close" level sees.
    assert name_key("Lahcen") == name_key("لحسن") == "lhsn"
    assert name_key("Lhoussine") == name_key("الحسين") == "hsn"
    assert name_key("Lahcen") != name_key("Lhoussine")
    assert _distance(name_key("Lahcen"), name_key("Lhoussine")) == 1


def test_different_names_keep_different_keys() -> None:
    for a, b in [("Mohammed", "Ahmed"), ("Fatima", "Fatiha"), ("Youssef", "Younes"), ("Younes", "Anas"),
                 ("Khadija", "Khalid"), ("Karim", "Kamal"), ("Zineb", "Zahra")]:
        assert name_key(a) != name_key(b), (a, b)


@pytest.mark.parametrize(
    ("first", "last", "other_first", "other_last"),
    [
        ("Fatima", "Benali", "Benali", "Fatima"),
        ("Fatima", "Benali", "بنعلي", "فاطمة"),
        ("فاطمة الزهراء", "بنعلي", "Benali", "Fatimazahra"),
        ("Mohammed", "El Idrissi", "الإدريسي", "محمد"),
    ],
)
def test_full_name_key_ignores_which_field_holds_which_name(first, last, other_first, other_last) -> None:
    assert full_name_key(first, last) == full_name_key(other_first, other_last)
    assert full_name_key(first, last) == full_name_key(last, first)


def test_empty_and_odd_input() -> None:
    assert name_key("") == name_key(None) == name_key("  - ' ") == ""
    assert full_name_key(None, "Benali") == "bnl"
    assert name_key("2024") == "2024"  # codes stay codes
    assert name_key("Mohammed\u00a0Amine") == name_key("Mohammed Amine")


def test_normalized_names_compare_as_written() -> None:
    assert normalize_name("Fatéma-Zahra") == normalize_name("fatema zahra") == "fatemazahra"
    assert normalize_name("أحمد") == normalize_name("احمد") == normalize_name("أَحْمَد")
    assert normalize_name("فاطمة") == normalize_name("فاطمه")
    assert normalize_name("Mohammed") != normalize_name("Mohamed")  # spelling differences stay for Jaro-Winkler


def test_synthetic_name_tables_agree_across_scripts() -> None:
    """Each name of the generator has one key over its Arabic and Latin spellings, but for documented limits."""
    known = {"Larbi", "Nourelhouda", "Oudghiri"}  # L-article before a vowel, el inside a joined name, initial ou
    tables = [person_spellings.name_table(person_tables.MALE)[0], person_spellings.name_table(person_tables.FEMALE)[0],
              person_spellings.family_table()[0]]
    for name in itertools.chain.from_iterable(tables):
        spellings = [*name.arabic, *(s for s in name.latin if s not in known)]
        assert len({name_key(spelling) for spelling in spellings}) == 1, spellings
    for latin, arabic in persons.communes(500):
        assert name_key(latin) == name_key(arabic), (latin, arabic)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["Mhamed"], "mhmd"),
        (["محمد"], "mhmd"),
        (["عبد الرحمان"], "bdrhmn"),
        (["Fatima Zahra", "--family", "Ben Ali"], "bnl ftmzhr"),
    ],
)
def test_names_key_command(args: list[str], expected: str) -> None:
    result = runner.invoke(app, ["names", "key", *args])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == expected
