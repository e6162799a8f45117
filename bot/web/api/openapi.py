"""The OpenAPI 3.1 document, assembled from the operations and the pydantic models they validate with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from bot.web.api.errors import ApiError
from bot.web.api.operations import IDEMPOTENCY_HEADER, Operation

REF = "#/components/schemas/{model}"


def document(operations: Sequence[Operation], prefix: str) -> dict[str, Any]:
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ApiError, "serialization")]
    for operation in operations:
        wanted.append((operation.response, "serialization"))
        wanted.extend((model, "validation") for model in (operation.body, operation.query) if model is not None)
    refs, definitions = models_json_schema(wanted, ref_template=REF)
    error = refs[(ApiError, "serialization")]

    def answer(description: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        responses = {
            str(operation.status): answer("Done.", refs[(operation.response, "serialization")]),
            "401": answer("No API key, or a wrong or revoked one.", error),
            **{str(status): answer(description, error) for status, description in operation.errors.items()},
        }
        entry: dict[str, Any] = {
            "operationId": operation.operation_id,
            "summary": operation.summary,
            "parameters": _parameters(operation),
            "responses": responses,
        }
        if operation.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[(operation.body, "validation")]}},
            }
        paths.setdefault(operation.path, {})[operation.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "AppealDesk platform API",
            "version": "1",
            "description": "What the marketplace's own systems tell AppealDesk, and read back. See docs/platform-api.md.",
        },
        "servers": [{"url": prefix}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {
                "apiKey": {"type": "http", "scheme": "bearer", "description": "appealdesk api-keys add NAME"}
            },
        },
        "security": [{"apiKey": []}],
    }


def _parameters(operation: Operation) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": 64}}
        for name in operation.path_parameters
    ]
    if operation.query is not None:
        schema = operation.query.model_json_schema()
        required = set(schema.get("required", []))
        parameters.extend(
            {"name": name, "in": "query", "required": name in required, "schema": field}
            for name, field in schema["properties"].items()
        )
    if operation.idempotent:
        parameters.append(
            {
                "name": IDEMPOTENCY_HEADER,
                "in": "header",
                "required": False,
                "description": "A repeat with the same key gets the first answer and changes nothing.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[ -~]+$"},
            }
        )
    return parameters
