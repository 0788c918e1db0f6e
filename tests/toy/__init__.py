"""A toy domain, defined in the tests only: it proves a domain is mounted, migrated, demoed, crawled and given its
command group, roles and error format by its `Domain` alone, with no edit in the core."""

from majal.kit.domain import DemoUser, Domain
from majal.kit.i18n import N_

KEEPER = "toy_keeper"

DOMAIN = Domain(
    "toy", __name__,
    routers=("pages:router", "api:router"),
    commands={"toy": "cli:app"},
    models=("models",),
    migrations="migrations",
    demo="demo:load", demo_after=("territory",),
    demo_staff=(DemoUser("toy.keeper", KEEPER, "Toy Keeper", department="toys"),),
    roles={KEEPER: N_("Toy keeper")},
    departments={"toys": N_("Toys")},
    json_paths=("/toy-api/",),
    errors={"/toy-api/": "api:errors"},
    jobs=("service:tidy",),
    examples={"note_id": "1"},
)
