"""Cleanliness: containers, fill levels, fleet and collection planning (the routing engine is the `routing` package)."""

from majal.kit.domain import DemoUser, Domain
from majal.kit.i18n import N_

DOMAIN = Domain(
    "cleanliness", __name__,
    routers=("api:router", "pages:router"),
    commands={"cleanliness": "cli:app"},
    models=("models",),
    demo="demo:load", demo_after=("territory",),
    demo_staff=(DemoUser("agent.cleanliness", "agent", "Nadia Amrani", department="cleanliness"),),
    topics=("service:FILL_TOPIC",),
    tasks={"cleanliness.plan": "service:plan_job"},  # plans queued from the pages
    jobs=("service:reconcile_plans",),
    departments={"cleanliness": N_("Cleanliness")},
    examples={"plan_id": "1", "route_id": "1"},  # today's collection plan
)
