"""The API against its own /openapi.json (schemathesis, over real HTTP to uvicorn on loopback).

Every documented operation gets generated requests, valid and invalid: no 5xx, and status codes,
content types, headers and bodies as the schema says. Examples are bounded per operation so the
run stays well under a minute. (schemathesis' pytest plugin needs a pytest it supports; driving
each operation's Hypothesis strategy here works on any.)
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

EXAMPLES = 15


def test_api_conforms_to_its_openapi_schema(live: str) -> None:
    schema = schemathesis.openapi.from_url(live + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    paths = {op.path for op in operations}
    assert {"/", "/api/jobs", "/api/jobs/{job_id}", "/jobs/{job_id}", "/feed.xml", "/feed.atom", "/healthz"} <= paths
    checked = 0
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate()

        check()
        checked += 1
    assert checked == len(operations)
