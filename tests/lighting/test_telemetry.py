"""Lamp telemetry through the shared MQTT intake, against the real Mosquitto broker on 127.0.0.1:1883: good states
are stored and checked by the fault rules, bad messages are refused, counted and logged without their payload."""

from __future__ import annotations

import json
import logging

from sqlalchemy import func, select

from majal.cli import _sensor_topics
from majal.kit.mqtt import Intake
from majal.lighting.models import Reading, WorkOrder
from majal.lighting.service.telemetry import LAMP_STATE, STATE_PATTERN
from tests.sensors import publish_through_broker

NIGHT = "2026-11-20T23:00:00+00:00"  # midnight in Berkane
SECRET_LOOKING = "0612345678"  # a phone-number-like value: a refused payload must never reach the log


def message(on: bool, level: float, power_w: float, at: str = NIGHT) -> bytes:
    return json.dumps({"on": on, "level": level, "power_w": power_w, "at": at}).encode()


def test_majal_listen_subscribes_to_the_lamp_topic() -> None:
    assert LAMP_STATE in _sensor_topics()
    assert LAMP_STATE.identifier("majal/lighting/lamps/P-1/state") == "P-1"


def test_states_are_stored_and_bad_messages_refused_and_counted(sessions, inventory, caplog) -> None:
    intake = Intake(sessions, [LAMP_STATE])
    caplog.set_level(logging.WARNING, logger="majal.mqtt")
    assert intake.receive("majal/lighting/lamps/P-1/state", message(True, 100, 168))
    assert intake.receive("majal/lighting/lamps/P-2/state", message(False, 0, 0))  # out at night
    bad = {
        "not JSON": ("P-1", b"on=1;level=100"),
        "unknown lamp": ("P-404", message(True, 100, 168)),
        "no time zone": ("P-1", message(True, 100, 168, at="2026-11-20T23:00:00")),
        "level over 100": ("P-1", message(True, 180, 168)),
        "extra personal field": ("P-1", json.dumps({"on": "yes", "phone": SECRET_LOOKING}).encode()),
    }
    for reason, (pole, payload) in bad.items():
        assert not intake.receive(f"majal/lighting/lamps/{pole}/state", payload), reason
    assert intake.accepted == {STATE_PATTERN: 2}
    assert intake.refused == {STATE_PATTERN: 5}
    assert "not JSON" in caplog.text and "There is no lamp P-404" in caplog.text
    assert SECRET_LOOKING not in caplog.text
    with sessions() as db:
        assert db.scalar(select(func.count(Reading.id))) == 2
        assert [order.fault for order in db.scalars(select(WorkOrder))] == ["out_at_night"]


def test_states_published_to_mosquitto_reach_the_database(sessions, inventory) -> None:
    intake = Intake(sessions, [LAMP_STATE])
    sent = [("P-1", message(True, 100, 320)), ("P-3", b"\xff\xfe"), ("P-9", message(True, 100, 10)),
            ("P-2", message(True, 50, 32.4))]
    publish_through_broker(intake, [(f"majal/lighting/lamps/{pole}/state", payload) for pole, payload in sent])
    assert (intake.accepted[STATE_PATTERN], intake.refused[STATE_PATTERN]) == (2, 2)
    with sessions() as db:
        assert db.scalar(select(func.count(Reading.id))) == 2
        # P-1, 150 W sodium, drawing 320 W instead of 168 W: power far from expected.
        assert [order.fault for order in db.scalars(select(WorkOrder))] == ["power_deviation"]


def test_states_dated_outside_the_window_are_refused(sessions, inventory, caplog) -> None:
    """Before 2000, in the future (beyond clock drift), or an instant with no UTC datetime: refused, never stored."""
    intake = Intake(sessions, [LAMP_STATE])
    caplog.set_level(logging.WARNING, logger="majal.mqtt")
    moments = ["1999-12-31T23:59:59+00:00", "2202-11-20T23:00:00+00:00", "0001-01-01T00:00:00+14:00",
               "9999-12-31T23:59:59-12:00"]
    for at in moments:
        assert not intake.receive("majal/lighting/lamps/P-1/state", message(True, 100, 168, at=at)), at
    assert intake.refused == {STATE_PATTERN: len(moments)}
    assert "Enter a date from 2000-01-01 to " in caplog.text
    with sessions() as db:
        assert db.scalar(select(func.count(Reading.id))) == 0
