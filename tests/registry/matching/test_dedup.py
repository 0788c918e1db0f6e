"""Entity resolution: deterministic rules, the Splink model on FEBRL and on synthetic Moroccan persons, the CSV checks,
and `majal registry dedup` / `synth-persons` end to end.

Quality is measured against known truth with code independent of the engine's own clustering: pairwise precision,
recall and F1 over the clusters, and blocking recall (the share of true pairs the blocking rules compare) on its own.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from itertools import combinations
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from majal.cli import app
from majal.kit.errors import MajalError
from majal.registry.matching import dedup, persons
from majal.registry.matching.names import is_arabic, name_key

FEBRL = Path(__file__).resolve().parents[2] / "data" / "febrl"
COLUMNS = ["id", "first_name", "last_name", "birth_date", "sex", "commune", "national_id"]

runner = CliRunner()


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "C.UTF-8")


# ----------------------------------------------------------------------------------------------------------------
# Independent scoring


def true_pairs(labels: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, list[str]] = {}
    for record, label in labels.items():
        groups.setdefault(label, []).append(record)
    return {frozenset(pair) for members in groups.values() for pair in combinations(members, 2)}


def f1(clusters: pa.Table, truth: dict[str, str]) -> tuple[float, float, float]:
    found = true_pairs(dict(zip(clusters.column("id").to_pylist(), clusters.column("cluster_id").to_pylist(),
                                strict=True)))
    real = true_pairs(truth)
    correct = len(found & real)
    precision = correct / len(found) if found else 1.0
    recall = correct / len(real) if real else 1.0
    return precision, recall, 2 * precision * recall / (precision + recall)


def blocking_recall(blocked: pa.Table, truth: dict[str, str]) -> float:
    compared = {frozenset(pair) for pair in zip(blocked.column("id_l").to_pylist(), blocked.column("id_r").to_pylist(),
                                                strict=True)}
    real = true_pairs(truth)
    return len(compared & real) / len(real)


def test_independent_scoring_agrees_with_the_engine() -> None:
    clusters = pa.table({"id": ["a", "b", "c", "d", "e"], "cluster_id": ["a", "a", "a", "d", "d"]})
    truth = {"a": "1", "b": "1", "c": "2", "d": "2", "e": "3"}
    scores = dedup.pairwise_scores(clusters.column("cluster_id").to_pylist(), [truth[i] for i in "abcde"])
    assert (scores.precision, scores.recall, scores.f1) == pytest.approx(f1(clusters, truth))
    assert (scores.true_pairs, scores.predicted_pairs, scores.correct_pairs) == (2, 4, 1)


# ----------------------------------------------------------------------------------------------------------------
# FEBRL


def load_febrl(name: str, source: str | None = None) -> tuple[pa.Table, dict[str, str]]:
    with (FEBRL / name).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, skipinitialspace=True))
    header = [column.strip() for column in rows[0]]
    columns = {column: [row[i].strip() for row in rows[1:]] for i, column in enumerate(header)}
    columns["id"] = columns.pop("rec_id")
    if source is not None:
        columns["source"] = [source] * len(columns["id"])
    truth = {record: record.split("-")[1] for record in columns["id"]}  # rec-N-org, rec-N-dup-k: person N
    return pa.table(columns), truth


def test_febrl1_deduplication() -> None:
    records, truth = load_febrl("dataset1.csv")
    resolution = dedup.resolve(records, dedup.FEBRL_MODEL)
    assert len(true_pairs(truth)) == 500
    assert f1(resolution.clusters, truth)[2] >= 0.99


def test_febrl3_deduplication() -> None:
    records, truth = load_febrl("dataset3.csv")
    resolution = dedup.resolve(records, dedup.FEBRL_MODEL, keep_blocked_pairs=True)
    assert resolution.blocked is not None
    recall_of_blocking = blocking_recall(resolution.blocked, truth)
    precision, recall, score = f1(resolution.clusters, truth)
    print(f"FEBRL3: {len(true_pairs(truth))} true pairs, {resolution.compared} compared, blocking recall "
          f"{recall_of_blocking:.4f}; pairwise precision {precision:.4f}, recall {recall:.4f}, F1 {score:.4f}")
    assert len(true_pairs(truth)) == 6538
    assert recall_of_blocking >= 0.99
    assert score >= 0.99


def test_febrl4_linkage() -> None:
    left, truth_left = load_febrl("dataset4a.csv", "a")
    right, truth_right = load_febrl("dataset4b.csv", "b")
    truth = truth_left | truth_right
    resolution = dedup.resolve(pa.concat_tables([left, right]), dedup.FEBRL_MODEL, source="source",
                               keep_blocked_pairs=True)
    assert resolution.blocked is not None
    recall_of_blocking = blocking_recall(resolution.blocked, truth)
    precision, recall, score = f1(resolution.clusters, truth)
    print(f"FEBRL4: {len(true_pairs(truth))} true links, {resolution.compared} compared, blocking recall "
          f"{recall_of_blocking:.4f}; pairwise precision {precision:.4f}, recall {recall:.4f}, F1 {score:.4f}")
    assert len(true_pairs(truth)) == 5000
    assert recall_of_blocking >= 0.99
    assert score >= 0.99
    sides = dict(zip(left.column("id").to_pylist() + right.column("id").to_pylist(),
                     ["a"] * left.num_rows + ["b"] * right.num_rows, strict=True))
    members = Counter(resolution.clusters.column("cluster_id").to_pylist())
    assert max(members.values()) <= 3  # linking two duplicate-free lists: at most a small chain, never a blob
    assert all(sides[pair["id_l"]] != sides[pair["id_r"]] for pair in resolution.pairs.to_pylist())


# ----------------------------------------------------------------------------------------------------------------
# Synthetic Moroccan persons


@pytest.fixture(scope="module")
def synthetic() -> tuple[pa.Table, dedup.Resolution]:
    records = persons.synthesize(20_000, seed=11)
    return records, dedup.resolve(records.drop_columns(["person_id"]), seed=0, keep_blocked_pairs=True)


def test_synthetic_moroccan_persons(synthetic) -> None:
    records, resolution = synthetic
    truth = dict(zip(records.column("id").to_pylist(), records.column("person_id").to_pylist(), strict=True))
    recall_of_blocking = blocking_recall(resolution.blocked, truth)
    precision, recall, score = f1(resolution.clusters, truth)
    print(f"synthetic: {len(true_pairs(truth))} true pairs, {resolution.compared} compared, blocking recall "
          f"{recall_of_blocking:.4f}; pairwise precision {precision:.4f}, recall {recall:.4f}, F1 {score:.4f}")
    assert recall_of_blocking >= 0.95
    assert score >= 0.95


def test_outputs_cover_every_record_once(synthetic) -> None:
    records, resolution = synthetic
    assert resolution.clusters.column("id").to_pylist() == records.column("id").to_pylist()
    members = Counter(resolution.clusters.column("cluster_id").to_pylist())
    assert resolution.clusters.column("cluster_size").to_pylist() == [
        members[c] for c in resolution.clusters.column("cluster_id").to_pylist()]
    cluster_of = dict(zip(*(resolution.clusters.column(c).to_pylist() for c in ("id", "cluster_id")), strict=True))
    for pair in resolution.pairs.to_pylist():
        if pair["decision"] == "match":
            assert cluster_of[pair["id_l"]] == cluster_of[pair["id_r"]]
            assert pair["evidence"] in {"idcs", "cnie"} or pair["match_probability"] >= dedup.PERSON_MODEL.threshold
        elif pair["decision"] == "review":
            assert dedup.PERSON_MODEL.review_from <= pair["match_probability"] < dedup.PERSON_MODEL.threshold
    reasons = Counter(resolution.review.column("reason").to_pylist())
    assert reasons["uncertain_pair"] > 0
    assert reasons["two_households"] > 0  # the generator puts 1% of records in another household
    for item in resolution.review.to_pylist():
        if item["reason"] == "uncertain_pair":
            assert item["cluster_l"] != item["cluster_r"]
        if item["reason"] == "two_households":
            assert item["cluster_l"] == item["cluster_r"]


def test_the_same_records_give_the_same_answer() -> None:
    records = persons.synthesize(2_000, seed=4).drop_columns(["person_id"])
    first, second = dedup.resolve(records, seed=0), dedup.resolve(records, seed=0)
    assert first.clusters.equals(second.clusters)
    assert first.pairs.equals(second.pairs)
    assert first.review.equals(second.review)
    assert json.dumps(first.model_json, sort_keys=True) == json.dumps(second.model_json, sort_keys=True)


def test_synthesis_is_reproducible() -> None:
    assert persons.synthesize(500, seed=3).equals(persons.synthesize(500, seed=3))
    assert not persons.synthesize(500, seed=3).equals(persons.synthesize(500, seed=4))
    table = persons.synthesize(2_000, seed=3)
    assert table.column_names == [*persons.COLUMNS, "person_id"]
    first_names = table.column("first_name").to_pylist()
    assert Counter(name_key(name) for name in first_names).most_common(1)[0][0] == "mhmd"  # Mohammed, of course
    assert any(is_arabic(name) for name in first_names) and not all(is_arabic(name) for name in first_names)


# ----------------------------------------------------------------------------------------------------------------
# Deterministic rules


def person(record_id: str, first: str, last: str, birth: str = "1980-05-04", sex: str = "F",
           commune: str = "Berkane", national_id: str = "", household: str = "") -> dict[str, str]:
    return {"id": record_id, "first_name": first, "last_name": last, "birth_date": birth, "sex": sex,
            "commune": commune, "national_id": national_id, "phone": "", "household_id": household}


def with_background(rows: list[dict[str, str]]) -> pa.Table:
    """The rows to test, among synthetic people, so the model has something to learn from."""
    background = persons.synthesize(3_000, seed=9).drop_columns(["person_id"]).to_pylist()
    return pa.Table.from_pylist(rows + background)


def cluster_of(resolution: dedup.Resolution) -> dict[str, str]:
    return dict(zip(resolution.clusters.column("id").to_pylist(), resolution.clusters.column("cluster_id").to_pylist(),
                    strict=True))


def test_identifiers_decide_and_households_are_flagged() -> None:
    rows = [
        # the same IDCS: one person, whatever the names say
        person("x1", "Fatima", "Benali", national_id="1234567890", household="H1"),
        person("x2", "خديجة", "الزموري", birth="", national_id="1234567890", household="H2"),
        # the same CNIE, written with a space
        person("x3", "Youssef", "Tazi", sex="M", national_id="AB 123456"),
        person("x4", "Driss", "Kettani", sex="M", national_id="ab123456"),
        # alike in everything, but two IDCS: two people (twins, namesakes), never merged
        person("x5", "Zineb", "Zemmouri", national_id="2222222222"),
        person("x6", "Zineb", "Zemmouri", national_id="3333333333"),
        # alike, without identifiers, in Arabic and Latin script: one person
        person("x7", "Abderrahmane", "El Ouazzani", sex="M", birth="1975-11-02", commune="Ahfir"),
        person("x8", "عبد الرحمان", "الوزاني", sex="M", birth="1975-11-02", commune="أحفير"),
    ]
    resolution = dedup.resolve(with_background(rows))
    clusters = cluster_of(resolution)
    assert clusters["x1"] == clusters["x2"]
    assert clusters["x3"] == clusters["x4"]
    assert clusters["x5"] != clusters["x6"]
    assert clusters["x7"] == clusters["x8"]
    review = resolution.review.to_pylist()
    assert {"reason": "two_households", "id_l": "x1", "id_r": "x2"}.items() <= next(
        item for item in review if item["id_l"] == "x1").items()
    evidence = {(p["id_l"], p["id_r"]): p["evidence"] for p in resolution.pairs.to_pylist()}
    assert evidence[("x1", "x2")] == "idcs"
    assert evidence[("x3", "x4")] == "cnie"
    conflicting = [p for p in resolution.pairs.to_pylist() if {p["id_l"], p["id_r"]} == {"x5", "x6"}]
    assert all(p["decision"] != "match" for p in conflicting)


def test_settings_are_data_for_duckdb_and_spark() -> None:
    for dialect in ("duckdb", "spark"):
        settings = dedup.splink_settings(dedup.PERSON_MODEL, dialect)
        text = json.dumps(settings)
        assert settings["link_type"] == "dedupe_only"
        assert len(settings["blocking_rules_to_generate_predictions"]) == len(dedup.PERSON_MODEL.blocking)
        assert {c["output_column_name"] for c in settings["comparisons"]} == {
            "name", "birth_date", "sex", "commune", "national_id", "phone"}
        assert "damerau_levenshtein" in text and "jaro_winkler" in text
    assert "`full_key_l`" in json.dumps(dedup.splink_settings(dedup.PERSON_MODEL, "spark"))
    assert dedup.splink_settings(dedup.FEBRL_MODEL, "duckdb", link=True)["link_type"] == "link_only"


# ----------------------------------------------------------------------------------------------------------------
# Reading a persons CSV


def csv_bytes(rows: list[list[str]], header: list[str] | None = None, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header or COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


GOOD = [
    ["1", "Fatima", "Benali", "1980-05-04", "F", "Berkane", ""],
    ["2", "فاطمة", "بنعلي", "", "", "بركان", "1234567890"],
    ["3", "Youssef", "Tazi", "2001-12-31", "m", "", "AB123456"],
]


def test_a_good_file_is_read_with_its_optional_columns() -> None:
    table = dedup.parse_persons_csv(csv_bytes([[*row, "0612345678"] for row in GOOD], [*COLUMNS, "phone"]))
    assert table.num_rows == 3
    assert table.column_names == [*COLUMNS, "phone"]
    assert table.column("first_name").to_pylist()[1] == "فاطمة"
    bom = b"\xef\xbb\xbf" + csv_bytes(GOOD)
    assert dedup.parse_persons_csv(bom).num_rows == 3


def refusal(data: bytes, encoding: str = "utf-8") -> str:
    with pytest.raises(MajalError) as raised:
        dedup.parse_persons_csv(data, encoding)
    return str(raised.value)


@pytest.mark.parametrize("column", ["id", "first_name", "commune"])
def test_a_nul_in_a_cell_is_refused_by_row_and_column(column: str) -> None:
    rows = [list(row) for row in GOOD]
    rows[1][COLUMNS.index(column)] += "\x00"
    assert refusal(csv_bytes(rows)) == (f"Row 3, column {column}: The text may not hold the NUL character (U+0000): "
                                         "remove it and try again.")


def test_missing_columns_are_named() -> None:
    message = refusal(csv_bytes([row[:6] for row in GOOD], COLUMNS[:6]))
    assert "national_id" in message and "Missing column" in message


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        (["4", "Ali", "Alaoui", "1980-13-01", "M", "", ""], "birth_date", "1980-13-01"),
        (["4", "Ali", "Alaoui", "04/05/1980", "M", "", ""], "birth_date", "YYYY-MM-DD"),
        (["4", "Ali", "Alaoui", "1980-02-30", "M", "", ""], "birth_date", "1980-02-30"),
        (["4", "Ali", "Alaoui", "", "X", "", ""], "sex", "M or F"),
        (["4", "Ali", "Alaoui", "", "", "", "12345"], "national_id", "IDCS"),
        (["", "Ali", "Alaoui", "", "", "", ""], "id", "empty"),
        (["1", "Ali", "Alaoui", "", "", "", ""], "id", "already on row 2"),
        (["4", "", " - ", "", "", "", ""], "first_name", "no name"),
    ],
)
def test_bad_cells_are_named_by_row_and_column(row: list[str], column: str, fragment: str) -> None:
    message = refusal(csv_bytes([*GOOD, row]))
    assert f"Row 5, column {column}" in message
    assert fragment in message


def test_a_windows_1256_cell_in_a_utf8_file_is_named() -> None:
    good = csv_bytes(GOOD)
    bad = "5,محمد,العلوي,,M,,\n".encode("windows-1256")
    message = refusal(good + bad)
    assert "Row 5, column first_name" in message
    assert "UTF-8" in message


def test_a_whole_windows_1256_file_can_be_read_when_said() -> None:
    data = csv_bytes([row for row in GOOD if row[0] != "2"] + [["2", "فاطمة", "بنعلي", "", "", "بركان", ""]],
                     encoding="windows-1256")
    message = refusal(data)
    assert "--encoding windows-1256" in message
    table = dedup.parse_persons_csv(data, "windows-1256")
    assert table.column("first_name").to_pylist()[-1] == "فاطمة"
    mixed = data + "9,خديجة,بناني,,F,,\n".encode()
    assert "Row 5, column first_name" in refusal(mixed, "windows-1256")


def test_ragged_rows_and_empty_files_are_refused() -> None:
    assert "Row 3" in refusal(csv_bytes([GOOD[0], GOOD[1][:4]]))
    assert "empty" in refusal(b"")
    assert "no records" in refusal(csv_bytes([]))


# ----------------------------------------------------------------------------------------------------------------
# The commands


def test_synth_persons_then_dedup(tmp_path: Path) -> None:
    people = tmp_path / "persons.csv"
    result = runner.invoke(app, ["registry", "synth-persons", "--n", "3000", "--seed", "5", "--output", str(people)])
    assert result.exit_code == 0, result.output
    truth_file = tmp_path / "persons.truth.csv"
    with people.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with truth_file.open(encoding="utf-8") as handle:
        truth = {row["id"]: row["person_id"] for row in csv.DictReader(handle)}
    assert len(rows) == 3000 and set(truth) == {row["id"] for row in rows}
    assert set(COLUMNS) <= set(rows[0]) and "person_id" not in rows[0]

    clusters_file = tmp_path / "clusters.csv"
    result = runner.invoke(app, ["registry", "dedup", "--input", str(people), "--output", str(clusters_file)])
    assert result.exit_code == 0, result.output
    assert "3,000 records" in result.output
    with clusters_file.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["id", "cluster_id"]
        clusters = {row["id"]: row["cluster_id"] for row in reader}
    assert set(clusters) == set(truth)
    table = pa.table({"id": list(clusters), "cluster_id": list(clusters.values())})
    assert f1(table, truth)[2] >= 0.95
    with (tmp_path / "clusters.pairs.csv").open(encoding="utf-8") as handle:
        pairs = list(csv.DictReader(handle))
    assert pairs and set(pairs[0]) == {"id_l", "id_r", "match_probability", "match_weight", "evidence", "decision"}
    assert (tmp_path / "clusters.review.csv").read_text(encoding="utf-8").startswith("\"reason\"")


@pytest.mark.parametrize("count", [1, 2, 3])
def test_short_lists_are_resolved_too(tmp_path: Path, count: int) -> None:
    people = tmp_path / "persons.csv"
    people.write_bytes(csv_bytes(GOOD[:count], encoding="windows-1256"))
    output = tmp_path / "clusters.csv"
    result = runner.invoke(app, ["registry", "dedup", "--input", str(people), "--output", str(output),
                                 "--encoding", "windows-1256"])
    assert result.exit_code == 0, result.output
    with output.open(encoding="utf-8") as handle:
        assert [row["id"] for row in csv.DictReader(handle)] == [row[0] for row in GOOD[:count]]


def test_dedup_refuses_a_bad_file_and_writes_nothing(tmp_path: Path) -> None:
    people = tmp_path / "persons.csv"
    people.write_bytes(csv_bytes([*GOOD, ["4", "Ali", "Alaoui", "1980-13-01", "M", "", ""]]))
    output = tmp_path / "clusters.csv"
    output.write_text("keep me", encoding="utf-8")
    result = runner.invoke(app, ["registry", "dedup", "--input", str(people), "--output", str(output)])
    assert result.exit_code == 1
    assert "persons.csv: Row 5, column birth_date" in result.output
    assert output.read_text(encoding="utf-8") == "keep me"
    assert not (tmp_path / "clusters.pairs.csv").exists()
    assert not (tmp_path / "clusters.review.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clusters.csv", "persons.csv"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--input", "missing.csv", "--output", "out.csv"], "No such file"),
        (["--input", "persons.csv", "--output", "persons.csv"], "overwrite the input"),
        (["--input", "persons.csv", "--output", "nowhere/out.csv"], "No such folder"),
    ],
)
def test_dedup_refuses_bad_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str],
                                 fragment: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "persons.csv").write_bytes(csv_bytes(GOOD))
    result = runner.invoke(app, ["registry", "dedup", *args])
    assert result.exit_code == 1
    assert fragment in result.output


def test_errors_speak_the_terminal_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    people = tmp_path / "persons.csv"
    people.write_bytes(csv_bytes(GOOD, COLUMNS[:6]))
    monkeypatch.setenv("LC_ALL", "fr_MA.UTF-8")
    result = runner.invoke(app, ["registry", "dedup", "--input", str(people), "--output", str(tmp_path / "c.csv")])
    assert result.exit_code == 1
    assert "national_id" in result.output
    assert "Missing column" not in result.output
