"""Social registry: households and members, their scores and programme decisions, corrections with their history,
moves between communes, reviews, yearly re-verification and programme cycles.

The household registry itself is this folder, with the files of any domain: `models`, `schemas`, `repository`,
`service` (a package: `service/households.py`, `service/corrections.py`, `service/cycles.py` …), `api`, `pages` and
`templates/`, `cli` (the `majal registry` verbs), `demo`, and `labels` (the words shown for its codes and fields).

Two rooms inside it:

- `pmt/`       the pure targeting engines: the import format (`data`), the expression language and the versioned
               model file, scoring and fitting, programme rules and the ASD calculator, evaluation, the national
               batch, the same batch as Spark SQL, a synthetic population. No web framework, no database session.
- `matching/`  entity resolution, a room with the files of a domain (models, schemas, repository, service, api,
               pages, cli, demo) and its engines (name keys, the Splink model, agreements, synthetic persons); other
               domains (social cases, learning) call its service.
"""

from majal.kit.domain import DemoUser, Domain
from majal.kit.i18n import N_

DEMO_COMMUNE = "BERKANE"  # the social worker's households are the demo commune's

DOMAIN = Domain(
    "registry", __name__,
    routers=("api:router", "pages:router", "matching.api:router", "matching.pages:router"),
    commands={"registry": "cli:app", "names": "matching.cli:names_app"},
    models=("models", "matching.models"),
    demo="demo:load", demo_after=("territory",),
    demo_staff=(DemoUser("social", "social_worker", "Fatima Zahra Benali", commune=DEMO_COMMUNE),
                DemoUser("officer", "programme_officer", "Leila Ouazzani")),
    roles={"social_worker": N_("Social worker"), "programme_officer": N_("Programme officer")},
    examples={"household_id": "1", "pair_id": "1"},  # the demo's households and matched lists
    templates=("templates", "matching/templates"),
)
