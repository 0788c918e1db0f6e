"""What a citizen or an Open311 client submits, before it is checked; and the shapes of the API's answers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from majal.requests.workflow import Status

CONTACT_PURPOSE = "request-contact"  # the encryption purpose of reporters' and followers' contact details
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
PHONE = re.compile(r"^\+?[0-9 ().-]{6,20}$")


@dataclass(frozen=True)
class Contact:
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    device_id: str = ""
    account_id: str = ""
    lang: str = ""  # the language the person wrote in: their notifications follow it

    def is_empty(self) -> bool:
        return not any(value for key, value in vars(self).items() if key != "lang")


@dataclass(frozen=True)
class Submission:
    service_code: str
    description: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    media_url: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)
    contact: Contact = field(default_factory=Contact)


@dataclass(frozen=True)
class RequestQuery:
    """Open311's GET requests filters, already parsed."""

    ids: tuple[int, ...] | None = None  # None: any request; (): ids were asked that no request can have
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: str = ""
    end: str = ""


@dataclass(frozen=True)
class QueueFilters:
    """The staff console's filters; `departments` is already narrowed to what the user may see."""

    departments: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    service_code: str = ""
    district_id: int | None = None
    overdue: bool = False


class ServiceOut(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class AttributeValueOut(BaseModel):
    key: str
    name: str


class AttributeOut(BaseModel):
    variable: bool
    code: str
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[AttributeValueOut]


class ServiceDefinitionOut(BaseModel):
    service_code: str
    attributes: list[AttributeOut]


class CreatedOut(BaseModel):
    service_request_id: str
    token: str
    service_notice: str
    account_id: str | None


class RequestOut(BaseModel):
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str
    service_notice: str | None
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class TokenOut(BaseModel):
    service_request_id: str
    token: str


class Open311ErrorOut(BaseModel):
    code: int
    description: str


class HeatOut(BaseModel):
    """Open service requests counted on a small grid (no request, reporter or description is named)."""

    points: list[list[float]] = Field(
        description="[latitude, longitude, open requests] per grid cell of about 50 m, WGS84 degrees",
        examples=[[[34.9205, -2.3195, 3.0]]])
    open: int = Field(description="Open requests, with or without a location")


@dataclass(frozen=True)
class HistoricalRequest:
    """A past request with how it ended, as an import of history (or the demo) gives it."""

    service_code: str
    lon: float
    lat: float
    district_index: int
    description: str
    requested_at: datetime
    final_status: Status
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    contact: dict[str, str] | None = None  # synthetic: about four reporters in ten leave a way to reach them
