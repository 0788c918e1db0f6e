"""NGSI-LD: the entities feed (normalized and keyValues, paging), its file export, and the Smart Data Models
schemas every keyValues entity must satisfy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from typer.testing import CliRunner

from majal.cli import app
from majal.lighting import service

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "smart-data-models"
COMMON_URL = "https://smart-data-models.github.io/data-models/common-schema.json"


def validator(kind: str) -> Draft202012Validator:
    common = json.loads((SCHEMAS / "common-schema.json").read_text(encoding="utf-8"))
    registry = Registry().with_resource(COMMON_URL, Resource.from_contents(common))
    schema = json.loads((SCHEMAS / kind / "schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def get(client, **params: Any):
    answer = client.get("/ngsi-ld/v1/entities", params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/ld+json")
    return answer


@pytest.mark.parametrize("kind", ["Streetlight", "StreetlightControlCabinet"])
def test_key_values_entities_validate_against_the_smart_data_models_schema(client, inventory, kind: str) -> None:
    entities = get(client, type=kind, options="keyValues").json()
    assert entities
    check = validator(kind)
    for entity in entities:
        plain = {key: value for key, value in entity.items() if key != "@context"}
        errors = [error.message for error in check.iter_errors(plain)]
        assert not errors, (entity["id"], errors)


def test_the_schema_check_can_fail() -> None:
    broken = {"id": "urn:ngsi-ld:Streetlight:X", "type": "Streetlight",
              "location": {"type": "Point", "coordinates": [-2.3, 34.9]}, "status": "exploded"}
    assert list(validator("Streetlight").iter_errors(broken))


def test_normalized_form_has_context_properties_and_relationships(client, inventory) -> None:
    entities = get(client, type="Streetlight").json()
    lamp = next(entity for entity in entities if entity["id"] == "urn:ngsi-ld:Streetlight:P-3")
    assert lamp["@context"][0].endswith("context.jsonld")
    assert lamp["location"] == {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [-2.3151, 34.9181]}}
    assert lamp["refStreetlightControlCabinet"] == {"type": "Relationship",
                                                    "object": "urn:ngsi-ld:StreetlightControlCabinet:CAB-B"}
    assert lamp["status"] == {"type": "Property", "value": "ok"}
    assert lamp["powerRating"] == {"type": "Property", "value": 250.0}
    assert lamp["lanternHeight"]["type"] == "Property"


def test_paging_with_limit_offset_and_count(client, inventory) -> None:
    first = get(client, type="Streetlight", limit=2, count="true")
    assert first.headers["NGSILD-Results-Count"] == "3"
    rest = get(client, type="Streetlight", limit=2, offset=2).json()
    ids = [entity["id"] for entity in first.json()] + [entity["id"] for entity in rest]
    assert ids == ["urn:ngsi-ld:Streetlight:P-1", "urn:ngsi-ld:Streetlight:P-2", "urn:ngsi-ld:Streetlight:P-3"]
    assert get(client, type="Building").json() == []


def test_bad_queries_are_refused(client, inventory) -> None:
    assert client.get("/ngsi-ld/v1/entities").status_code == 400
    assert client.get("/ngsi-ld/v1/entities", params={"type": "Streetlight", "limit": 0}).status_code == 422
    assert client.get("/ngsi-ld/v1/entities", params={"type": "Streetlight", "limit": 5000}).status_code == 422


def test_cli_export_writes_the_same_entities(cli_env, client, inventory, tmp_path) -> None:
    out = tmp_path / "lighting.jsonld"
    result = CliRunner().invoke(app, ["lighting", "export", "--format", "ngsi-ld", "--output", str(out)])
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text(encoding="utf-8"))
    feed = get(client, type="StreetlightControlCabinet").json() + get(client, type="Streetlight").json()
    assert written == feed


def test_an_open_work_order_marks_the_lamp_defective(client, sessions, inventory) -> None:
    with sessions.begin() as db:
        light = service.streetlight_by_pole(db, "P-1")
        service.open_fault(db, light, "out_at_night", "test")
    lamp = get(client, type="Streetlight", options="keyValues", limit=1).json()[0]
    assert lamp["status"] == "defectiveLamp"


def test_plain_json_carries_the_context_in_a_link_header(client, inventory) -> None:
    answer = client.get("/ngsi-ld/v1/entities", params={"type": "Streetlight", "limit": 1},
                        headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert 'rel="http://www.w3.org/ns/json-ld#context"' in answer.headers["link"]
    (entity,) = answer.json()
    assert "@context" not in entity and entity["type"] == "Streetlight"
