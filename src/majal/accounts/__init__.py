"""Staff accounts, roles, sessions, API keys and sign-in."""

from majal.kit.domain import DemoUser, Domain
from majal.kit.i18n import N_

DOMAIN = Domain(
    "accounts", __name__,
    routers=("pages:router",),
    commands={"users": "cli:users", "apikeys": "cli:apikeys"},
    models=("models",),
    demo_staff=(DemoUser("admin", "admin", "Salma Admin"), DemoUser("manager", "manager", "Karim Bennani")),
    roles={"admin": N_("Administrator"), "manager": N_("Manager"), "agent": N_("Department agent")},
)
