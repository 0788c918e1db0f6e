"""Entity resolution: one person, one record, across the registry's members and the lists that come without registry
identifiers (Jisr referrals, training sign-ups, municipal and NGO lists).

A room with the files of a domain: `models` (lists, list persons, runs, pairs, merges), `schemas`, `repository`,
`service` (what other domains call: social cases and learning match their persons through it), `api`, `pages` and
`templates/`, `cli` (`majal names key`, `majal registry dedup|synth-persons|lists import|match`) and `demo`.

Its engines are pure (no web framework, no database session): `names` (Moroccan name keys, one for Arabic and Latin
spellings), `dedup` (the Fellegi–Sunter model on Splink and DuckDB, clusters and the review queue), `agreement` (which
comparisons of two records agreed, in plain words) and `persons` (synthetic person records with known truth, for tests,
benchmarks and the demo).
"""
