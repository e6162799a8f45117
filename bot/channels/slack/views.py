"""Modal building blocks shared by the agents' modals and the appeal form, and reading their state.

Views, inputs and their elements are `slack_sdk.models`, whose `to_dict()` checks Slack's limits
(a title's 24 characters, a label's 2,000, 100 blocks a modal); texts are shortened to fit first.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    InputBlock,
    InputInteractiveElement,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.channels.slack.blocks import Block, plain_text

MAX_TITLE = 24
MAX_LABEL = 2000
MAX_HINT = 2000
MAX_OPTION_TEXT = 75
MAX_INPUT_CHARS = 3000
MAX_PLACEHOLDER = 150
MAX_MODAL_BLOCKS = 100
VALUE = "value"  # every input's action_id: block ids say which field it is


def modal(
    callback_id: str, title: str, blocks: list[Block], submit: str | None, close: str, metadata: str = ""
) -> Block:
    view = View(
        type="modal",
        callback_id=callback_id,
        title=plain_text(title, MAX_TITLE),
        close=plain_text(close, MAX_TITLE),
        submit=plain_text(submit, MAX_TITLE) if submit else None,
        private_metadata=metadata,
        blocks=blocks[:MAX_MODAL_BLOCKS],
    )
    return view.to_dict()


def input_block(
    block_id: str, label: str, element: InputInteractiveElement, optional: bool = False, hint: str | None = None
) -> Block:
    element.action_id = VALUE
    block = InputBlock(
        block_id=block_id,
        label=plain_text(label, MAX_LABEL),
        element=element,
        optional=optional,
        hint=plain_text(hint, MAX_HINT) if hint else None,
    )
    return block.to_dict()


def text_element(
    multiline: bool = False, max_length: int = MAX_INPUT_CHARS, placeholder: str | None = None
) -> PlainTextInputElement:
    return PlainTextInputElement(
        multiline=multiline,
        max_length=min(max_length, MAX_INPUT_CHARS),
        placeholder=plain_text(placeholder, MAX_PLACEHOLDER) if placeholder else None,
    )


def option(text: str, value: str) -> Option:
    return Option(text=plain_text(text, MAX_OPTION_TEXT), value=value)


def select_element(options: list[Option]) -> StaticSelectElement:
    return StaticSelectElement(options=options)


def read(view: dict[str, Any], block_id: str) -> Any:
    """The submitted value of one input: a string, a list (checkboxes, files), or None when empty."""
    state = ((view.get("state") or {}).get("values") or {}).get(block_id, {}).get(VALUE) or {}
    kind = state.get("type")
    if kind in ("static_select", "radio_buttons"):
        selected = state.get("selected_option")
        return selected["value"] if selected else None
    if kind == "checkboxes":
        return [item["value"] for item in state.get("selected_options") or []]
    if kind == "datepicker":
        return state.get("selected_date")
    if kind == "file_input":
        return list(state.get("files") or [])
    value = state.get("value")
    return value if value not in ("", None) else None
