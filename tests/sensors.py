"""A real MQTT round trip for the sensor tests: an intake listening on the loopback Mosquitto, a device publishing."""

from __future__ import annotations

import threading
import time
import uuid

import paho.mqtt.client as mqtt

from majal.kit.mqtt import Broker, Intake


def forget_session(broker: Broker) -> None:
    """Drop the persistent session a test listener left at the broker, so nothing queues up for it later."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=broker.client_id, clean_session=True)
    client.connect(broker.host, broker.port)
    client.disconnect()


def publish_through_broker(intake: Intake, messages: list[tuple[str, bytes]], timeout: float = 10.0) -> None:
    """Publish (topic, payload) pairs at QoS 1 while `intake` listens; return once it has handled them all."""
    stop, subscribed = threading.Event(), threading.Event()
    broker = Broker(client_id=f"majal-test-{uuid.uuid4().hex[:8]}")
    listener = threading.Thread(target=intake.run, args=(broker, stop, subscribed), daemon=True)
    listener.start()
    try:
        assert subscribed.wait(timeout), "no MQTT broker answered on 127.0.0.1:1883 (make broker starts one)"
        device = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        device.connect(broker.host, broker.port)
        device.loop_start()
        for topic, payload in messages:
            device.publish(topic, payload, qos=1).wait_for_publish(5)
        deadline = time.monotonic() + timeout
        while intake.accepted.total() + intake.refused.total() < len(messages) and time.monotonic() < deadline:
            time.sleep(0.05)
        device.disconnect()
        device.loop_stop()
    finally:
        stop.set()
        listener.join(timeout)
        forget_session(broker)
