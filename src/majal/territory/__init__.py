"""The commune's territory: the commune, its districts and layers; point -> district."""

from majal.kit.domain import Domain

DOMAIN = Domain(
    "territory", __name__,
    routers=("api:router",),
    commands={"territory": "cli:app"},
    models=("models",),
    demo="demo:load",
)
