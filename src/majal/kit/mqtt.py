"""Sensor intake over MQTT: each message on a declared topic becomes one transaction of its domain's handler.

A domain declares what it listens to and how a message is read and stored:

    LAMP_STATE = Topic("majal/lighting/lamps/+/state", LampState, record_state)

where the single `+` of the pattern is the record's identifier, `LampState` a Pydantic model of the JSON payload, and
`record_state(db, "L-0042", reading)` stores it (raising a `MajalError`, e.g. an unknown lamp, to refuse it). The intake
refuses whatever is not a JSON object matching the model, counts accepted and refused messages per topic, and logs a
refusal with its reason but never its payload. `majal listen` runs it against the broker of MAJAL_MQTT_*.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import orjson
import paho.mqtt.client as mqtt
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from majal.kit.errors import MajalError

log = logging.getLogger("majal.mqtt")
Reading = TypeVar("Reading", bound=BaseModel)
QOS = 1  # at least once: handlers must tolerate a repeated message (readings carry their own time)


@dataclass(frozen=True)
class Topic(Generic[Reading]):
    pattern: str
    model: type[Reading]
    handle: Callable[[Session, str, Reading], None]

    def __post_init__(self) -> None:
        if self.pattern.split("/").count("+") != 1 or "#" in self.pattern:
            raise ValueError(f"a sensor topic has exactly one '+' (the record id): {self.pattern}")

    def identifier(self, topic: str) -> str | None:
        """The record id a concrete topic names, or None when it is not one of this pattern's."""
        wanted, given = self.pattern.split("/"), topic.split("/")
        if len(wanted) != len(given):
            return None
        ids = [part for pattern, part in zip(wanted, given, strict=True) if pattern == "+"]
        same = all(pattern in ("+", part) for pattern, part in zip(wanted, given, strict=True))
        return ids[0] if same and ids[0] else None


@dataclass
class Intake:
    """Hands each message to the topic's handler in its own transaction; a bad message never stops the intake."""

    sessions: sessionmaker[Session]
    topics: Sequence[Topic[Any]]
    accepted: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)

    def receive(self, topic: str, payload: bytes) -> bool:
        for declared in self.topics:
            identifier = declared.identifier(topic)
            if identifier is not None:
                return self._deliver(declared, identifier, payload)
        return self._refuse("unknown topic", topic, "not a sensor topic")

    def _deliver(self, topic: Topic[Any], identifier: str, payload: bytes) -> bool:
        try:
            reading = topic.model.model_validate(orjson.loads(payload))
            with self.sessions.begin() as db:
                topic.handle(db, identifier, reading)
        except orjson.JSONDecodeError:
            return self._refuse(topic.pattern, identifier, "not JSON")
        except ValidationError as error:
            fields = sorted({".".join(map(str, problem["loc"])) or "payload" for problem in error.errors()})
            return self._refuse(topic.pattern, identifier, "invalid " + ", ".join(fields))
        except MajalError as error:
            return self._refuse(topic.pattern, identifier, str(error))
        except Exception:  # a handler's bug must not stop the sensors of the whole commune
            log.exception("sensor message on %s for %s failed", topic.pattern, identifier)
            return self._refuse(topic.pattern, identifier, "failed")
        self.accepted[topic.pattern] += 1
        return True

    def _refuse(self, counted_as: str, identifier: str, reason: str) -> bool:
        self.refused[counted_as] += 1
        log.warning("sensor message refused (%s) on %s for %s", reason, counted_as, identifier)
        return False

    def run(self, broker: Broker, stop: threading.Event, subscribed: threading.Event | None = None) -> None:
        """Listen until `stop` is set; paho reconnects by itself when the broker goes away and comes back."""
        client = broker.client()

        def on_connect(client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _properties: Any) -> None:
            if reason.is_failure:
                log.error("the MQTT broker refused the connection: %s", reason)
                return
            client.subscribe([(topic.pattern, QOS) for topic in self.topics])

        def on_subscribe(*_args: Any) -> None:
            if subscribed is not None:
                subscribed.set()

        client.on_connect = on_connect
        client.on_subscribe = on_subscribe
        def on_message(_client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
            self.receive(message.topic, bytes(message.payload))

        client.on_message = on_message
        client.connect(broker.host, broker.port, keepalive=30)
        client.loop_start()
        try:
            stop.wait()
        finally:
            client.disconnect()
            client.loop_stop()


@dataclass(frozen=True)
class Broker:
    host: str = "127.0.0.1"
    port: int = 1883
    username: str = ""
    password: str = ""
    client_id: str = "majal"

    def client(self) -> mqtt.Client:
        # A persistent session: messages sent at QoS 1 while Majal restarts wait at the broker.
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self.client_id, clean_session=False)
        if self.username:
            client.username_pw_set(self.username, self.password)
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        return client
