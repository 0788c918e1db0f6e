"""Synthetic Moroccan person records with known truth, for testing and benchmarking entity resolution.

People live in households (a family name shared by the children, spouses keeping their own, one commune, often one
phone); given and family names come in both scripts with realistic frequency (Mohammed, Fatima, Khadija are common).
Each person appears in one to five records, as lists do in life: names in Arabic script or in one of their Latin
spellings, compound names written together or apart, the article written or not, typing errors, given and family
name swapped, missing fields, birth dates with errors (day and month swapped, a wrong digit, the year only, a year off),
and national identifiers (IDCS, CNIE) on some records, always right when present.

`synthesize(n, seed)` is deterministic: the same n and seed give the same records, row for row.

Modules: `tables` (the name and commune frequency tables), `spellings` (names and details as records write them) and
`records` (`synthesize`, and names for the demo registry's members).
"""

from majal.registry.matching.persons.records import (
    COLUMNS,
    RATES,
    misspelled,
    name_members,
    spelled,
    synthesize,
    wrong_date,
)
from majal.registry.matching.persons.spellings import Name, communes

__all__ = ["COLUMNS", "RATES", "Name", "communes", "misspelled", "name_members", "spelled", "synthesize", "wrong_date"]
