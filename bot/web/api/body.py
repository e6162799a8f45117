"""Request bodies: JSON only, and no bigger than the configured limit, however they are sent."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from bot.web.api.errors import ApiRefusal


async def read_json(request: Request, limit: int) -> Any:
    """The parsed body; refused (413) past `limit` bytes, whether declared or streamed without a length."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if kind != "application/json":
        raise ApiRefusal(415, "unsupported_media_type", "Send the body as JSON, with `Content-Type: application/json`.")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise too_large(limit)
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiRefusal(400, "bad_json", "The body is not valid JSON.") from error


def too_large(limit: int) -> ApiRefusal:
    return ApiRefusal(413, "too_large", f"The body is larger than {limit} bytes.")
