"""Fill readings over MQTT: `majal/cleanliness/containers/{id}/fill` through the shared intake, against the real
Mosquitto broker on 127.0.0.1:1883."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
from sqlalchemy.orm import Session, sessionmaker

from majal.cleanliness import repository, service
from majal.cleanliness.models import Container, FillReading
from majal.cli import _sensor_topics
from majal.kit.mqtt import Intake
from tests.sensors import publish_through_broker


def test_the_fill_topic_is_declared_to_majal_listen() -> None:
    assert service.FILL_TOPIC in _sensor_topics()
    assert service.FILL_TOPIC.identifier("majal/cleanliness/containers/42/fill") == "42"


def test_readings_published_to_the_broker_are_stored(fleet: sessionmaker[Session]) -> None:
    with fleet.begin() as db:
        container_id = repository.by_codes(db, Container)["A1"]
    intake = Intake(fleet, [service.FILL_TOPIC])
    at = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    messages = [
        (container_id, orjson.dumps({"fill": 0.42, "at": at})),
        (container_id, b"not json"),
        (container_id, orjson.dumps({"fill": 1.7, "at": at})),  # out of 0..1
        (container_id, orjson.dumps({"fill": 0.5})),  # no time
        (999999, orjson.dumps({"fill": 0.5, "at": at})),  # no such container
        ("A1", orjson.dumps({"fill": 0.5, "at": at})),  # the id is the container's number, not its code
        (container_id, orjson.dumps({"fill": 0.0, "at": (datetime.now(UTC) + timedelta(days=2)).isoformat()})),
    ]
    publish_through_broker(intake, [(f"majal/cleanliness/containers/{identifier}/fill", payload)
                                    for identifier, payload in messages])
    assert intake.accepted.total() == 1
    assert intake.refused.total() == len(messages) - 1
    with fleet.begin() as db:
        readings = db.query(FillReading).all()
        assert [(r.container_id, r.fill, r.source) for r in readings] == [(container_id, 0.42, "mqtt")]
