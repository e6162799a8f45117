"""The OpenAPI document describes the API as it is: property-based calls generated from it, bounded in
examples and time, never get a server error or an answer the document does not describe."""

from __future__ import annotations

from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from bot.desk import Desk
from bot.web.app import create_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


BOUNDS = settings(
    max_examples=12,
    deadline=None,  # the bound is the examples: on a loaded machine one call may take a second
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_generated_calls_get_only_answers_the_document_describes(desk: Desk, key: str) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(desk))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 4
    for operation in operations:

        @BOUNDS
        @given(case=operation.as_strategy())
        def call(case: Any) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)

        call()


async def test_the_document_is_built_from_the_models_that_validate(anonymous: httpx.AsyncClient) -> None:
    document = (await anonymous.get("/openapi.json")).json()
    post = document["paths"]["/account-actions"]["post"]
    request = document["components"]["schemas"]["AccountActionRequest"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/AccountActionRequest")
    assert request["additionalProperties"] is False
    assert set(request["required"]) >= {"account_id", "action", "reason_category", "acting_staff", "taken_at"}
    assert "question-answered" not in request["properties"]["reason_category"]["enum"]
    assert {parameter["name"] for parameter in post["parameters"]} == {"Idempotency-Key"}
    assert set(document["paths"]) == {"/account-actions", "/link-codes", "/tickets/{reference}", "/tickets"}
