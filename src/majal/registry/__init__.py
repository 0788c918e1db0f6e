"""Social registry: households and members, the proxy-means-test index, programme eligibility and entitlements.

Engine modules (pure, vectorised, no web framework and no database session):

- `data`        the import format of households and members, its coercion and validation (`prepare`)
- `scoring`     the versioned PMT model file, the index (`score`) with its explanation, and `fit`
- `programmes`  versioned eligibility rules (AMO Tadamon, ASD) and the ASD entitlement calculator
- `evaluation`  targeting errors, quintile and decile coverage, AUC
- `synth`       a deterministic synthetic population with a hidden true consumption
- `batch`       score + eligibility + amounts for a whole population, the engine half of `majal registry score`
- `sql`         the same model file and rules as Spark SQL (also runs on DuckDB), for when one machine is not enough
"""

from majal.kit.domain import DemoUser, Domain
from majal.kit.i18n import N_

DEMO_COMMUNE = "BERKANE"  # the social worker's households are the demo commune's

DOMAIN = Domain(
    "registry", __name__,
    routers=("api:router", "pages:router", "matching_api:router", "matching_pages:router"),
    commands={"registry": "cli:app", "names": "dedup_cli:names_app"},
    models=("models",),
    demo="demo:load", demo_after=("territory",),
    demo_staff=(DemoUser("social", "social_worker", "Fatima Zahra Benali", commune=DEMO_COMMUNE),
                DemoUser("officer", "programme_officer", "Leila Ouazzani")),
    roles={"social_worker": N_("Social worker"), "programme_officer": N_("Programme officer")},
    examples={"household_id": "1", "pair_id": "1"},  # the demo's households and matched lists
)
