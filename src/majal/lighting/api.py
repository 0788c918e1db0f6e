"""Public lighting's JSON API: the NGSI-LD entities feed, and the lamps as GeoJSON for the map."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.kit.openapi import error_responses
from majal.kit.web import DB
from majal.lighting import ngsi

router = APIRouter(tags=["lighting"])


class LinkedDataResponse(JSONResponse):
    media_type = "application/ld+json"


@router.get("/ngsi-ld/v1/entities", response_class=LinkedDataResponse, response_model=list[dict[str, Any]],
            responses=error_responses(400))
def entities(
    db: DB,
    type: Annotated[str, Query(description="Entity type: Streetlight or StreetlightControlCabinet",
                               examples=["Streetlight"], max_length=100)] = "",
    limit: Annotated[int, Query(ge=1, le=ngsi.MAX_LIMIT, description="Entities per page")] = ngsi.DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Entities to skip")] = 0,
    options: Annotated[str, Query(description="keyValues for the simplified form", max_length=100)] = "",
    count: Annotated[bool, Query(description="Add the NGSILD-Results-Count header")] = False,
) -> Any:
    """Streetlights and control cabinets as NGSI-LD entities (Smart Data Models), normalized unless
    `options=keyValues`; paged with `limit` and `offset` as the NGSI-LD API does."""
    if not type:
        raise MajalError(N_("Name the entity type, e.g. type=Streetlight."), where="type")
    key_values = "keyValues" in options.split(",")
    found, total = ngsi.entities(db, type, offset, limit, key_values)
    headers = {"NGSILD-Results-Count": str(total)} if count else {}
    return LinkedDataResponse(found, headers=headers)
