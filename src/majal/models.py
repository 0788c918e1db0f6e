"""Every domain's tables, imported in one place so Alembic and the tests see the whole schema."""

from majal.accounts import models as accounts_models
from majal.cleanliness import models as cleanliness_models
from majal.db import Base
from majal.kit import audit, idempotency, outbox, ratelimit
from majal.lighting import models as lighting_models
from majal.registry import models as registry_models
from majal.registry.matching import models as matching_models
from majal.requests import models as requests_models
from majal.territory import models as territory_models

metadata = Base.metadata

__all__ = [
    "accounts_models",
    "audit",
    "cleanliness_models",
    "idempotency",
    "lighting_models",
    "matching_models",
    "metadata",
    "outbox",
    "ratelimit",
    "registry_models",
    "requests_models",
    "territory_models",
]
