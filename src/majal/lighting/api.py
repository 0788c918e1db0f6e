"""Public lighting's JSON API: the NGSI-LD entities feed, and the lamps as GeoJSON for the map."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from majal.accounts.deps import current_user
from majal.accounts.models import User
from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.kit.openapi import error_responses
from majal.kit.web import DB
from majal.lighting import ngsi, service
from majal.lighting.schemas import EntityOut, LampCollection

router = APIRouter(tags=["lighting"])


class LinkedDataResponse(JSONResponse):
    media_type = "application/ld+json"


@router.get("/ngsi-ld/v1/entities", response_class=LinkedDataResponse, response_model=list[EntityOut],
            responses={200: {"content": {"application/json": {}}}, **error_responses(400)})
def entities(
    request: Request,
    db: DB,
    type: Annotated[str, Query(description="Entity type: Streetlight or StreetlightControlCabinet",
                               examples=["Streetlight"], max_length=100)] = "",
    limit: Annotated[int, Query(ge=1, le=ngsi.MAX_LIMIT, description="Entities per page")] = ngsi.DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Entities to skip")] = 0,
    options: Annotated[str, Query(description="keyValues for the simplified form", max_length=100)] = "",
    count: Annotated[bool, Query(description="Add the NGSILD-Results-Count header")] = False,
) -> Response:
    """Streetlights and control cabinets as NGSI-LD entities (Smart Data Models), normalized unless
    `options=keyValues`; paged with `limit` and `offset` as the NGSI-LD API does. With `Accept: application/json`
    the `@context` travels in a `Link` header instead of each entity, as NGSI-LD prescribes."""
    # The answer is written here rather than by the response model: NGSI-LD sets its media type, its headers
    # (Link, NGSILD-Results-Count) and whether the entities carry their @context.
    if not type:
        raise MajalError(N_("Name the entity type, e.g. type=Streetlight."), where="type")
    key_values = "keyValues" in options.split(",")
    found, total = service.ngsi_entities(db, type, offset, limit, key_values)
    headers = {"NGSILD-Results-Count": str(total)} if count else {}
    if _wants_plain_json(request.headers.get("accept", "")):
        headers["Link"] = ngsi.CONTEXT_LINK
        return JSONResponse(ngsi.without_context(found), headers=headers)
    return LinkedDataResponse(found, headers=headers)


def _wants_plain_json(accept: str) -> bool:
    kinds = [part.split(";")[0].strip() for part in accept.split(",")]
    return "application/json" in kinds and "application/ld+json" not in kinds


class GeoJSONResponse(JSONResponse):
    media_type = "application/geo+json"


@router.get("/api/v1/lighting/streetlights", response_model=LampCollection, response_class=GeoJSONResponse,
            responses=error_responses(400, 401, 403))
def streetlights(
    db: DB, user: Annotated[User, Depends(current_user)],
    bbox: Annotated[str, Query(description="west,south,east,north in degrees (the whole commune when unset)",
                               examples=["-2.33,34.91,-2.31,34.93"], max_length=120)] = "",
) -> LampCollection:
    """The lamps as GeoJSON points with their state, for the lighting department's map (at most 10,000)."""
    service.check_lighting_staff(user)
    return LampCollection.model_validate(service.streetlights_geojson(db, _box(bbox)))


def _box(text: str) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        raise MajalError(N_("The box must be west,south,east,north in degrees, west ≤ east and south ≤ north."),
                         where="bbox") from None
    return west, south, east, north
