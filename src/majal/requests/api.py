"""Open311 GeoReport v2 under /open311/v2/, in JSON and XML."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import orjson
from fastapi import APIRouter, Depends, FastAPI, Header, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData

from majal.accounts import service as accounts
from majal.kit import idempotency
from majal.kit.cache import Answer, AnswerCache
from majal.kit.errors import Unauthorized
from majal.kit.i18n import N_, current_language, localized_name
from majal.kit.web import DB, ReadDB, cached_response, form_data
from majal.requests import open311, service
from majal.requests.models import CACHE_TOPIC
from majal.requests.schemas import (
    CreatedOut,
    Open311ErrorOut,
    RequestOut,
    RequestQuery,
    ServiceDefinitionOut,
    ServiceOut,
    TokenOut,
)

if TYPE_CHECKING:
    pass

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


@router.get("/services.{fmt}", responses=_xml_too(list[ServiceOut]), summary="List services")
def list_services(db: DB, fmt: Format, jurisdiction_id: str | None = None) -> Response:
    check_format(fmt)
    service.check_jurisdiction(db, jurisdiction_id)
    return answer(fmt, "services", "service", [open311.service_record(s) for s in service.services(db)])


@router.get("/services/{service_code}.{fmt}", responses=_xml_too(ServiceDefinitionOut),
            summary="Service definition")
def service_definition(db: DB, service_code: str, fmt: Format, jurisdiction_id: str | None = None) -> Response:
    check_format(fmt)
    service.check_jurisdiction(db, jurisdiction_id)
    chosen = service.service(db, service_code)
    record = open311.definition_record(chosen)
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
    service.check_jurisdiction(reads, fields.get("jurisdiction_id"))  # looked up before the write transaction
    key = _api_key(reads, fields.get("api_key") or request.headers.get("x-api-key") or "")
    secret = request.app.state.secret_key
    claimed = None
    if idempotency_key is not None:  # a retry gets the first answer again, and files nothing
        asked = idempotency.fingerprint((name, value) for name, value in items if name != "api_key")
        claimed = idempotency.claim(db, secret, f"open311:{key.id}", idempotency_key, asked)
        if claimed.replay is not None:
            return claimed.replay
    submission = open311.submission(items, current_language())
    created = service.submit(db, submission, secret, source="open311", actor=f"api:{key.name}", api_key_id=key.id)
    record = open311.created_record(created, submission.contact.account_id)
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
        query = RequestQuery(ids=open311.request_ids(service_request_id),
                             service_codes=open311.split_list(service_code), statuses=open311.split_list(status),
                             start=start_date, end=end_date)
        answer = await run_in_threadpool(_search_answer, request.app.state.reads, answers, key, query,
                                         jurisdiction_id)
    return cached_response(request, answer, f"application/{fmt}")


def _search_answer(sessions: sessionmaker[Session], answers: AnswerCache, key: tuple[str, str, str],
                   query: RequestQuery, jurisdiction_id: str | None) -> Answer:
    with sessions() as db:
        service.check_jurisdiction(db, jurisdiction_id)
        writes = answers.writes()
        version = service.data_version(db)
        answers.confirm(writes, version)
        with answers.computing(key):
            return answers.get(key, version) or answers.put(key, version, _search_body(db, key[0], query))


def _search_body(db: Session, fmt: str, query: RequestQuery) -> bytes:
    rows, services = service.search(db, query)
    names = {service_id: (localized_name(chosen), chosen.code, open311.department_name(chosen.department))
             for service_id, chosen in services.items()}  # once per service, not once per record
    records = [open311.request_record(row, names[row.service_id]) for row in rows]
    if fmt == "json":  # the bytes json.dumps would give (compact, UTF-8), ~25 times faster for 1000 records
        return orjson.dumps(records)
    return open311.to_xml("service_requests", "request", records)


@router.get("/requests/{service_request_id}.{fmt}", responses=_xml_too(list[RequestOut]),
            summary="One service request")
def one_request(db: DB, service_request_id: str, fmt: Format, jurisdiction_id: str | None = None) -> Response:
    check_format(fmt)
    service.check_jurisdiction(db, jurisdiction_id)
    found = service.find(db, open311.request_id(service_request_id))
    return answer(fmt, "service_requests", "request", [open311.request_record(found)])


@router.get("/tokens/{token}.{fmt}", responses=_xml_too(list[TokenOut]), summary="Service request id for a token")
def token_lookup(db: DB, token: str, fmt: Format, jurisdiction_id: str | None = None) -> Response:
    check_format(fmt)
    service.check_jurisdiction(db, jurisdiction_id)
    found = service.find_by_token(db, token)
    return answer(fmt, "service_requests", "request", [open311.token_record(found)])


def error_response(path: str, status_code: int, descriptions: list[str]) -> Response:
    """The spec's error list, in the format the path asked for."""
    records = [{"code": status_code, "description": description} for description in descriptions]
    fmt = "xml" if path.endswith(".xml") else "json"
    return answer(fmt, "errors", "error", records, status_code=status_code)

