"""Button payloads: short strings that say what a tap means, well within every channel's button data.

`v<version>:<action>` belongs to one state of the conversation; once the state moves on, the
button is stale. `go:<action>` is always valid. `kb:<entry>` opens a knowledge entry and
`fb:<answer>:<y|n>` records whether an answer helped.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Payload:
    scope: str
    action: str
    version: int | None = None


def step(version: int, action: str) -> str:
    return f"v{version}:{action}"


def parse(payload: str) -> Payload | None:
    scope, _, action = payload.partition(":")
    if not action:
        return None
    if scope.startswith("v") and scope[1:].isdigit():
        return Payload("step", action, int(scope[1:]))
    if scope in ("go", "kb", "fb"):
        return Payload(scope, action)
    return None
