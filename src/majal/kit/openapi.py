"""The JSON API's error answers, described in the OpenAPI schema as app.py's error handlers really send them.

A refusal (`MajalError`) or an HTTP error answers `{"detail": str, "code": str}`; invalid parameters or bodies answer
422 `{"detail": [{"field", "msg", "type"}], "code": "invalid"}` (kit/validation.py), not FastAPI's own shape.
Routes list the refusals they can answer with `responses=error_responses(404, ...)`; `describe_errors(app)` adds
the error models to the schema, puts ours in place of FastAPI's default 422 description, and gives every operation
its 400 (any call holding a NUL character is refused).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any, Literal

from fastapi import FastAPI
from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

REF_PREFIX = "#/components/schemas/"
FASTAPI_VALIDATION_MODELS = ("HTTPValidationError", "ValidationError")


class ErrorOut(BaseModel):
    """A refusal or an HTTP error."""

    detail: str = Field(description="What went wrong, in the language of the request")
    code: str = Field(description="Stable machine-readable code, e.g. not_found, unauthorized, forbidden")


class FieldProblem(BaseModel):
    field: str = Field(description="The parameter or body field, dotted; `request` when it is not one field")
    msg: str = Field(description="What is wrong with it, in the language of the request")
    type: str = Field(description="The kind of problem, e.g. missing, greater_than_equal")


class ValidationErrorOut(BaseModel):
    """Invalid parameters or body: one entry per problem."""

    detail: list[FieldProblem]
    code: Literal["invalid"]


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route or router: the refusals (MajalError statuses) it can answer with."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {"application/json": {"schema": {"$ref": f"{REF_PREFIX}ErrorOut"}}},
        }
        for status in statuses
    }


def describe_errors(app: FastAPI) -> None:
    """Make `app.openapi()` describe our error bodies: add their models, replace FastAPI's 422."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _rewrite(generate())  # FastAPI keeps the dict it returns in app.openapi_schema
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _rewrite(schema: dict[str, Any]) -> None:
    _, definitions = models_json_schema(
        [(ErrorOut, "serialization"), (ValidationErrorOut, "serialization")],
        ref_template=REF_PREFIX + "{model}",
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(definitions["$defs"])
    ours = {"$ref": f"{REF_PREFIX}ValidationErrorOut"}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict):  # any call is refused for a NUL character in its text (kit.web.nul_guard)
                operation.setdefault("responses", {}).setdefault("400", error_responses(400)[400])
            answer = operation.get("responses", {}).get("422") if isinstance(operation, dict) else None
            if answer is None:
                continue
            for content in answer.get("content", {}).values():
                if content.get("schema") == {"$ref": f"{REF_PREFIX}HTTPValidationError"}:
                    content["schema"] = ours
                    answer["description"] = "Invalid parameters or body"
    for name in FASTAPI_VALIDATION_MODELS:  # HTTPValidationError first: it is what refers to ValidationError
        if name not in components:
            continue
        others = {key: value for key, value in components.items() if key != name}
        if f'"{REF_PREFIX}{name}"' not in json.dumps([schema.get("paths", {}), others]):
            del components[name]
