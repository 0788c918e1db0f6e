"""The social registry's rules: import, scoring and decisions stored in the database, who may see a household,
corrections with their history, moves between communes, reviews, yearly re-verification and programme cycles.

The computation is the engines' (`majal.registry.pmt`): households are read back from the database in the import
format and go through exactly the code the national batch runs. Other domains call the names exported here:

- `access`       who may see a household (`household_for`), and the roles of the registry's staff
- `identifiers`  keyed digests of IDCS and CNIE numbers, household tracking codes
- `imports`      a population checked whole, then written with its computed scores (`import_population`)
- `scores`       scores and decisions stored, a household rescored, one household's entitlement, targeting errors
- `households`   one household as the staff see it, households due for verification
- `corrections`  which field may be changed by whom, corrections with their history, the yearly verification
- `moves`        a household moved to another commune
- `reviews`      index reviews, opened by the household or the staff, and what a household sees of its file
- `cycles`       programme payment cycles: draft, approved, paid
- `reasons`      the reasons given for reads and changes
"""


from majal.registry.service.access import (
    OFFICER_ROLES,
    STAFF_REGISTRY_ROLES,
    HouseholdMoved,
    check_calculator,
    check_household_access,
    check_household_exists,
    check_officer,
    check_registry_staff,
    household_for,
    may_see_households,
)
from majal.registry.service.corrections import (
    ACCESS_FIELDS,
    CORRECTORS,
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    MOVERS,
    FieldRule,
    InvalidFields,
    correct,
    correctable_fields,
    latest_change,
    verify,
)
from majal.registry.service.cycles import (
    CYCLE_STATUSES,
    advance_cycle,
    cancel_cycle,
    create_cycle,
    list_cycles,
    period_reference_date,
)
from majal.registry.service.households import (
    VERIFY_EVERY,
    DueList,
    HouseholdView,
    MemberView,
    ProgrammeView,
    due_for_verification,
    household_count,
    household_view,
)
from majal.registry.service.identifiers import (
    CNIE_PURPOSE,
    CONTACT_PURPOSE,
    IDCS_PURPOSE,
    cnie_digest,
    idcs_digest,
    new_tracking_codes,
    normalise_tracking_code,
)
from majal.registry.service.imports import (
    ImportResult,
    import_population,
)
from majal.registry.service.moves import (
    Moves,
    household_moves,
    known_communes,
    move_household,
)
from majal.registry.service.reviews import (
    BAD_LOOKUP,
    LOOKUP_LIMIT,
    REVIEW_LIMIT,
    CitizenStatus,
    citizen_status,
    close_review,
    open_review_by_household,
    open_review_by_staff,
    open_reviews,
    review_for,
)
from majal.registry.service.scores import (
    NO_SURVEY,
    Targeting,
    entitlement,
    entitlement_json,
    group_label,
    import_survey,
    latest_survey,
    money,
    rescore,
    store_scores,
    targeting,
)

__all__ = [
    "ACCESS_FIELDS",
    "BAD_LOOKUP",
    "CNIE_PURPOSE",
    "CONTACT_PURPOSE",
    "CORRECTORS",
    "CYCLE_STATUSES",
    "HOUSEHOLD_FIELDS",
    "IDCS_PURPOSE",
    "LOOKUP_LIMIT",
    "MEMBER_FIELDS",
    "MOVERS",
    "NO_SURVEY",
    "OFFICER_ROLES",
    "REVIEW_LIMIT",
    "STAFF_REGISTRY_ROLES",
    "VERIFY_EVERY",
    "CitizenStatus",
    "DueList",
    "FieldRule",
    "HouseholdMoved",
    "HouseholdView",
    "ImportResult",
    "InvalidFields",
    "MemberView",
    "Moves",
    "ProgrammeView",
    "Targeting",
    "advance_cycle",
    "cancel_cycle",
    "check_calculator",
    "check_household_access",
    "check_household_exists",
    "check_officer",
    "check_registry_staff",
    "citizen_status",
    "close_review",
    "cnie_digest",
    "correct",
    "correctable_fields",
    "create_cycle",
    "due_for_verification",
    "entitlement",
    "entitlement_json",
    "group_label",
    "household_count",
    "household_for",
    "household_moves",
    "household_view",
    "idcs_digest",
    "import_population",
    "import_survey",
    "known_communes",
    "latest_change",
    "latest_survey",
    "list_cycles",
    "may_see_households",
    "money",
    "move_household",
    "new_tracking_codes",
    "normalise_tracking_code",
    "open_review_by_household",
    "open_review_by_staff",
    "open_reviews",
    "period_reference_date",
    "rescore",
    "review_for",
    "store_scores",
    "targeting",
    "verify",
]
