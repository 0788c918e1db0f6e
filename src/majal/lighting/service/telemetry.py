"""The lamps' MQTT topic: each controller publishes its state on `majal/lighting/lamps/{pole number}/state`.

The shared intake (`majal.kit.mqtt`) refuses what is not a JSON object of this shape, counts and logs refusals
(reason and pole number, never the payload), and gives each accepted message its own transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from majal.kit.mqtt import Topic
from majal.lighting.schemas import LampState
from majal.lighting.service.controllers import record_state

STATE_PATTERN = "majal/lighting/lamps/+/state"


def store_state(db: Session, pole: str, state: LampState) -> None:
    """Store one lamp's state and open a work order per fault; an unknown pole is refused (NotFound)."""
    record_state(db, pole, state)


LAMP_STATE = Topic(STATE_PATTERN, LampState, store_state)
