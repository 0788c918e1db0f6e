"""Public lighting: streetlights, cabinets, dimming programmes, energy, faults and work orders."""

from majal.kit.domain import DemoUser, Domain
from majal.kit.i18n import N_

DOMAIN = Domain(
    "lighting", __name__,
    routers=("api:router", "pages:router"),
    commands={"lighting": "cli:app"},
    models=("models",),
    demo="demo:load", demo_after=("territory",),
    demo_staff=(DemoUser("agent.lighting", "agent", "Youssef El Idrissi", department="lighting"),),
    topics=("service.telemetry:LAMP_STATE",),
    json_paths=("/ngsi-ld/",),
    departments={"lighting": N_("Public lighting")},
    examples={"cabinet_id": "1"},
)
