"""The listing routes' filters in /openapi.json: each parameter, what it accepts and the 422 it may get.

The routes take their filters from the raw query string (lenient parsing, ``FilterParams``); this
declares them in the schema, as precisely as ``FilterParams`` checks them, so /docs shows what a
feed URL may carry and a schema-valid request is accepted.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from jobsift.publish.params import MAX_LIMIT, MAX_PAGE, ORDERS
from jobsift.scoring.flags import flag_codes

# Documented once, shown in /openapi.json for each listing route.
FILTER_DOC = {
    "q": "Keywords, any of (repeat or comma-separate)",
    "exclude": "Hide jobs mentioning these words",
    "skill": "Skills, any of",
    "source": "Only these sources",
    "country": "Only these countries (job or client)",
    "hide": "Hide jobs with these flags: " + ", ".join(flag_codes()),
    "flag": "Only jobs with these flags",
    "min_quality": "Minimum quality 0-100",
    "min_budget": "Minimum budget in USD (0 or more)",
    "age": "Posted or first seen within: 30m, 12h, 3d, 1w (at most 100000d), or since an ISO date (1970 on)",
    "order": "newest or quality",
    "page": "Page number, 1 to 100000",
    "limit": "Jobs per page, 1 to 500",
}


#: What each filter accepts, as precisely as FilterParams checks it (so a schema-valid request is accepted).
AGE_PATTERN = r"^([0-9]{1,4}[mhdw]|(19[7-9][0-9]|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))$"


def _param_schema(name: str) -> dict[str, Any]:
    if name in ("hide", "flag"):
        return {"type": "array", "items": {"type": "string", "enum": list(flag_codes())}}
    if name in ("q", "exclude", "skill", "source", "country"):
        return {"type": "array", "items": {"type": "string"}}
    schemas: dict[str, dict[str, Any]] = {
        "min_quality": {"type": "number", "minimum": 0, "maximum": 100},
        "min_budget": {"type": "number", "minimum": 0, "maximum": 1e12},
        "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        "order": {"type": "string", "enum": list(ORDERS)},
        "age": {"type": "string", "pattern": AGE_PATTERN},
    }
    return schemas.get(name, {"type": "string"})


def document_filters(app: FastAPI) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        params = [
            {"name": k, "in": "query", "required": False, "description": v, "schema": _param_schema(k)}
            for k, v in FILTER_DOC.items()
        ]
        invalid = {
            "description": "A parameter is not valid: detail[].loc names it, detail[].msg says why",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}},
        }
        for path in ("/", "/feed.xml", "/feed.atom", "/api/jobs"):
            for op in schema.get("paths", {}).get(path, {}).values():
                op["parameters"] = params
                if path != "/":  # the page shows what it ignored instead
                    op.setdefault("responses", {})["422"] = invalid
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
