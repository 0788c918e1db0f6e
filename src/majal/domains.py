"""The domains of Majal, one line each, in mount order (a domain's routes after those of the ones above it)."""

from __future__ import annotations

from majal import accounts, cleanliness, lighting, registry, requests, territory
from majal.kit.domain import Domain, collect

DOMAINS: tuple[Domain, ...] = (
    accounts.DOMAIN,
    territory.DOMAIN,
    requests.DOMAIN,
    cleanliness.DOMAIN,
    lighting.DOMAIN,
    registry.DOMAIN,
)


# Read at call time (not bound at import), so a test can install one more domain.


def departments() -> dict[str, str]:
    """Every department a staff member can work in: code -> label."""
    return collect(DOMAINS, lambda domain: domain.departments)


def roles() -> dict[str, str]:
    """Every staff role: code -> label."""
    return collect(DOMAINS, lambda domain: domain.roles)
