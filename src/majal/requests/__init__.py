"""Citizen service requests: Open311 GeoReport v2, the portal, the workflow, notifications and moderation."""

from majal.kit.domain import DemoUser, Domain
from majal.kit.i18n import N_

DOMAIN = Domain(
    "requests", __name__,
    routers=("api:router", "dashboard:router", "pages:router"),  # the dashboard before /console/requests/{id}
    models=("models",),
    demo="demo:load", demo_after=("territory",),
    demo_staff=(DemoUser("inspector", "inspector", "Hassan Berrada"),),
    # the catalogue's departments that have no domain of their own yet
    departments={"health": N_("Public health"), "transport": N_("Urban transport"), "roads": N_("Roads"),
                 "civil_status": N_("Civil status")},
    roles={"inspector": N_("Inspector")},
    json_paths=("/open311/",),
    errors={"/open311/": "api:error_response"},
    setup=("api:install",),
    examples={"request_id": "1"},  # the demo commune has a year of requests
)
