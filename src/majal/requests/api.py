"""Open311 GeoReport v2 under /open311/v2/, in JSON and XML."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, cast

import orjson
from fastapi import APIRouter, Depends, FastAPI, Header, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData

from majal.accounts import service as accounts
from majal.accounts import staff
from majal.kit import idempotency
from majal.kit.cache import Answer, AnswerCache
from majal.kit.errors import Unauthorized
from majal.kit.i18n import N_, current_language, gettext, localized_name
from majal.kit.validation import ASCII_DIGITS, row_id
from majal.kit.web import DB, ReadDB, cached_response, form_data
from majal.requests import open311, service
from majal.requests.models import CACHE_TOPIC, Service, ServiceAttribute, ServiceRequest
from majal.requests.schemas import (
    Contact,
    CreatedOut,
    Open311ErrorOut,
    RequestOut,
    RequestQuery,
    ServiceDefinitionOut,
    ServiceOut,
    Submission,
    TokenOut,
)
from majal.requests.workflow import open311_status
from majal.territory import service as territory

if TYPE_CHECKING:
    from majal.requests.repository import SearchRow

PREFIX = "/open311/v2"
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": list[Open311ErrorOut], "content": {"application/xml": {}}} for status in (400, 403, 404, 422)
}


def install(app: FastAPI) -> None:
    """The app's cache of public search answers, invalidated by any committed change to requests or services."""
    app.state.answers = AnswerCache(CACHE_TOPIC)


router = APIRouter(prefix=PREFIX, tags=["open311"], responses=ERRORS)


# {fmt} is checked by check_format (unknown formats answer the spec's 404); the schema names the two it knows.
Format = Annotated[str, Path(description="json or xml", json_schema_extra={"enum": list(open311.FORMATS)})]
IdempotencyKey = Annotated[str | None, Header(
    alias=idempotency.KEY_HEADER, max_length=idempotency.MAX_KEY_LENGTH,
    description="Any unique text of the client's (a UUID): a retry with the same key gets the first answer again "
                "and files nothing (kept 24 hours)")]
REQUEST_FORM = {
    "requestBody": {
        "required": True,
        "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object",
            "required": ["api_key", "service_code"],
            "properties": {
                name: {"type": "string"} for name in (
                    "api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id",
                    "email", "device_id", "account_id", "first_name", "last_name", "phone", "description",
                    "media_url")
            },
            "additionalProperties": {"type": "string", "description": "attribute[code] values of the service"},
        }}},
    }
}


def _xml_too(model: Any) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": model, "content": {"application/xml": {}}}}


def answer(fmt: str, root: str, item: str, records: list[dict[str, Any]], status_code: int = 200) -> Response:
    if fmt == "xml":
        return Response(open311.to_xml(root, item, records), status_code=status_code, media_type="application/xml")
    return JSONResponse(records, status_code=status_code)


def check_format(fmt: str) -> str:
    if fmt not in open311.FORMATS:
        raise open311.Open311Error(N_("Unknown format %(format)s: use json or xml."), status_code=404,
                                   format=fmt[:10])
    return fmt


def check_jurisdiction(db: Session, jurisdiction_id: str | None) -> None:
    if not jurisdiction_id:
        return
    commune = territory.overview(db).commune
    if commune is None or jurisdiction_id.strip().lower() != commune.code.lower():
        raise open311.Open311Error(N_("Unknown jurisdiction %(id)s."), status_code=404, id=jurisdiction_id[:40])


@router.get("/services.{fmt}", responses=_xml_too(list[ServiceOut]), summary="List services")
def list_services(db: DB, fmt: Format, jurisdiction_id: str | None = None) -> Response:
    check_format(fmt)
    check_jurisdiction(db, jurisdiction_id)
    return answer(fmt, "services", "service", [service_record(s) for s in service.services(db)])


@router.get("/services/{service_code}.{fmt}", responses=_xml_too(ServiceDefinitionOut),
            summary="Service definition")
def service_definition(db: DB, service_code: str, fmt: Format, jurisdiction_id: str | None = None) -> Response:
    check_format(fmt)
    check_jurisdiction(db, jurisdiction_id)
    chosen = service.service(db, service_code)
    record = {"service_code": chosen.code, "attributes": [attribute_record(a) for a in chosen.attributes]}
    if fmt == "xml":
        return Response(open311.to_xml_document("service_definition", record), media_type="application/xml")
    return JSONResponse(record)


@router.post("/requests.{fmt}", status_code=201, responses={201: {"model": list[CreatedOut],
                                                                  "content": {"application/xml": {}}}},
             summary="Create a service request (form-encoded; api_key required)", openapi_extra=REQUEST_FORM)
def create_request(request: Request, db: DB, reads: ReadDB, fmt: Format,
                   form: Annotated[FormData, Depends(form_data)], idempotency_key: IdempotencyKey = None) -> Response:
    check_format(fmt)
    items = [(name, value) for name, value in form.multi_items() if isinstance(value, str)]
    fields = dict(items)
    check_jurisdiction(reads, fields.get("jurisdiction_id"))  # looked up before the write transaction starts
    key = _api_key(reads, fields.get("api_key") or request.headers.get("x-api-key") or "")
    secret = request.app.state.secret_key
    claimed = None
    if idempotency_key is not None:  # a retry gets the first answer again, and files nothing
        asked = idempotency.fingerprint((name, value) for name, value in items if name != "api_key")
        claimed = idempotency.claim(db, secret, f"open311:{key.id}", idempotency_key, asked)
        if claimed.replay is not None:
            return claimed.replay
    submission = Submission(
        service_code=fields.get("service_code", "").strip(), description=fields.get("description", ""),
        lat=fields.get("lat", "").strip(), long=fields.get("long", "").strip(),
        address_string=fields.get("address_string", ""), address_id=fields.get("address_id", ""),
        media_url=fields.get("media_url", ""),
        attributes=open311.raw_attributes(items),
        contact=Contact(**{name: fields.get(name, "") for name in Contact.__dataclass_fields__ if name != "lang"},
                        lang=current_language()),
    )
    created = service.submit(db, submission, secret, source="open311", actor=f"api:{key.name}", api_key_id=key.id)
    record = {"service_request_id": str(created.id), "token": created.token,
              "service_notice": gettext(N_("Your tracking code is %(code)s."), code=created.tracking_code),
              "account_id": submission.contact.account_id or None}
    response = answer(fmt, "service_requests", "request", [record], status_code=201)
    return claimed.keep(response) if claimed is not None else response


def _api_key(db: Session, key: str) -> Any:
    try:
        return accounts.api_key_for(db, key)
    except Unauthorized as refused:
        raise open311.Open311Error(refused.message, status_code=403) from None


@router.get("/requests.{fmt}", responses=_xml_too(list[RequestOut]), summary="Search service requests")
async def search_requests(request: Request, fmt: Format, service_request_id: str = "", service_code: str = "",
                          start_date: str = "", end_date: str = "", status: str = "",
                          jurisdiction_id: str | None = None) -> Response:
    # Clients poll the same searches: an answer is reused until a request changes (or 30 s pass), and served
    # without touching the database while the data version was confirmed less than a second ago.
    check_format(fmt)
    answers: AnswerCache = request.app.state.answers
    key = (fmt, str(request.query_params), current_language())
    answer = answers.recent(key)
    if answer is None:
        query = RequestQuery(ids=_ids(service_request_id), service_codes=_list(service_code),
                             statuses=_list(status), start=start_date, end=end_date)
        answer = await run_in_threadpool(_search_answer, request.app.state.reads, answers, key, query,
                                         jurisdiction_id)
    return cached_response(request, answer, f"application/{fmt}")


def _search_answer(sessions: sessionmaker[Session], answers: AnswerCache, key: tuple[str, str, str],
                   query: RequestQuery, jurisdiction_id: str | None) -> Answer:
    with sessions() as db:
        check_jurisdiction(db, jurisdiction_id)
        writes = answers.writes()
        version = service.data_version(db)
        answers.confirm(writes, version)
        with answers.computing(key):
            return answers.get(key, version) or answers.put(key, version, _search_body(db, key[0], query))


def _search_body(db: Session, fmt: str, query: RequestQuery) -> bytes:
    rows, services = service.search(db, query)
    names = {service_id: (localized_name(chosen), chosen.code, _department(chosen.department))
             for service_id, chosen in services.items()}  # once per service, not once per record
    records = [request_record(row, names[row.service_id]) for row in rows]
    if fmt == "json":  # the bytes json.dumps would give (compact, UTF-8), ~25 times faster for 1000 records
        return orjson.dumps(records)
    return open311.to_xml("service_requests", "request", records)


@router.get("/requests/{service_request_id}.{fmt}", responses=_xml_too(list[RequestOut]),
            summary="One service request")
def one_request(db: DB, service_request_id: str, fmt: Format, jurisdiction_id: str | None = None) -> Response:
    check_format(fmt)
    check_jurisdiction(db, jurisdiction_id)
    found = service.find(db, _one_id(service_request_id))
    return answer(fmt, "service_requests", "request", [request_record(found)])


@router.get("/tokens/{token}.{fmt}", responses=_xml_too(list[TokenOut]), summary="Service request id for a token")
def token_lookup(db: DB, token: str, fmt: Format, jurisdiction_id: str | None = None) -> Response:
    check_format(fmt)
    check_jurisdiction(db, jurisdiction_id)
    found = service.find_by_token(db, token)
    return answer(fmt, "service_requests", "request", [{"service_request_id": str(found.id), "token": found.token}])


def _ids(text: str) -> tuple[int, ...] | None:
    """The ids of a search (None: none asked); a number no request can have (beyond the column's range) matches
    none."""
    parts = _list(text)
    if not parts:
        return None
    if not all(ASCII_DIGITS.fullmatch(part) for part in parts):
        raise open311.Open311Error(N_("service_request_id must be a number or a comma-separated list of numbers."))
    return tuple(found for part in parts[:open311.MAX_IDS] if (found := row_id(part)) is not None)


def _one_id(text: str) -> int:
    """The id in /requests/{id}.json: a number (400 otherwise), of a request that may exist (404 otherwise)."""
    if not ASCII_DIGITS.fullmatch(text):
        raise open311.Open311Error(N_("service_request_id must be a number."))
    found = row_id(text)
    if found is None:
        raise open311.Open311Error(N_("There is no service request %(id)s."), status_code=404, id=text)
    return found


def _list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def service_record(chosen: Service) -> dict[str, Any]:
    return {
        "service_code": chosen.code,
        "service_name": localized_name(chosen),
        "description": localized_name(chosen, field="description"),
        "metadata": bool(chosen.attributes),
        "type": "realtime",
        "keywords": chosen.keywords,
        "group": _department(chosen.department),
    }


def attribute_record(attribute: ServiceAttribute) -> dict[str, Any]:
    return {
        "variable": attribute.variable,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": None,
        "order": attribute.position,
        "description": localized_name(attribute, field="description"),
        "values": [{"key": value["key"], "name": localized_name(value)} for value in attribute.values],
    }


def request_record(found: ServiceRequest | SearchRow, service_names: tuple[str, str, str] | None = None
                   ) -> dict[str, Any]:
    """What anyone may see of a request: never the reporter's contact details.

    `found` is a request, or a search row (same attribute names, no `service`); `service_names` (the service's
    localized name, code and agency) spares looking its service up again for every record."""
    if service_names is None:
        chosen = cast("ServiceRequest", found).service
        service_names = (localized_name(chosen), chosen.code, _department(chosen.department))
    service_name, service_code, agency = service_names
    return {
        "service_request_id": str(found.id),
        "status": open311_status(found.status),
        "status_notes": found.status_notes or None,
        "service_name": service_name,
        "service_code": service_code,
        "description": found.description or None,
        "agency_responsible": agency,
        "service_notice": None,
        "requested_datetime": _w3c(found.requested_at),
        "updated_datetime": _w3c(found.updated_at),
        "expected_datetime": _w3c(found.expected_at),
        "address": found.address_string or None,
        "address_id": None,
        "zipcode": None,
        "lat": found.lat,
        "long": found.lon,
        "media_url": found.media_url or None,
    }


def _w3c(moment: datetime | None) -> str | None:
    """open311.w3c, with a shortcut for the naive UTC datetimes SQLite gives back (the same text, in half the time)."""
    if moment is not None and moment.tzinfo is None:
        return moment.isoformat(timespec="seconds") + "+00:00"
    return open311.w3c(moment)


def _department(code: str) -> str:
    return staff.department_label(code)


def error_response(path: str, status_code: int, descriptions: list[str]) -> Response:
    """The spec's error list, in the format the path asked for."""
    records = [{"code": status_code, "description": description} for description in descriptions]
    fmt = "xml" if path.endswith(".xml") else "json"
    return answer(fmt, "errors", "error", records, status_code=status_code)

