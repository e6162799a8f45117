"""Slack as the benchmarks' users reach the app: a DM event, signed, posted to `/slack/events` until it
answers 200 (as Slack retries); and what a call to the fake Slack Web API put in a chat."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
from slack_sdk.signature import SignatureVerifier

SENDS = ("chat.postMessage", "chat.update")


def dm_event(number: int, user: str, words: str) -> str:
    """The body of the `number`-th DM event (its id and ts derive from it): `user` says `words` to the app."""
    return json.dumps(
        {
            "token": "unused",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"EvF{number:06d}",
            "event_time": int(time.time()),
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": "D" + user,
                "user": user,
                "text": words,
                "ts": f"1699999999.{number:06d}",
            },
        }
    )


async def post_event(http: httpx.AsyncClient, secret: str, body: str, attempts: int = 200, pause: float = 0.3) -> bool:
    """Posts a signed event, and again (marked as Slack's retry) until the app answers 200; whether it did."""
    verifier = SignatureVerifier(secret)
    for attempt in range(attempts):
        stamp = str(int(time.time()))
        headers = {
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body) or "",
            "Content-Type": "application/json",
        }
        if attempt:
            headers |= {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_error"}
        try:
            if (await http.post("/slack/events", content=body, headers=headers)).status_code == 200:
                return True
        except httpx.HTTPError:
            pass  # the product is down: Slack tries again
        await asyncio.sleep(pause)
    return False


def content(params: dict[str, Any]) -> str:
    """What a post shows (its blocks, or its text without them): two posts alike are the same message twice."""
    return json.dumps(params.get("blocks") or params.get("text"), sort_keys=True)
