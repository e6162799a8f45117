"""Modal building blocks shared by the agents' modals and the appeal form, and reading their state."""

from __future__ import annotations

from typing import Any

from bot.channels.slack.blocks import Block, plain

MAX_TITLE = 24
MAX_LABEL = 2000
MAX_HINT = 2000
MAX_OPTION_TEXT = 75
MAX_INPUT_CHARS = 3000
MAX_MODAL_BLOCKS = 100
VALUE = "value"  # every input's action_id: block ids say which field it is


def modal(
    callback_id: str, title: str, blocks: list[Block], submit: str | None, close: str, metadata: str = ""
) -> Block:
    view: Block = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, MAX_TITLE),
        "close": plain(close, MAX_TITLE),
        "private_metadata": metadata,
        "blocks": blocks[:MAX_MODAL_BLOCKS],
    }
    if submit:
        view["submit"] = plain(submit, MAX_TITLE)
    return view


def input_block(block_id: str, label: str, element: Block, optional: bool = False, hint: str | None = None) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, MAX_LABEL),
        "element": {**element, "action_id": VALUE},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, MAX_HINT)
    return block


def text_element(multiline: bool = False, max_length: int = MAX_INPUT_CHARS, placeholder: str | None = None) -> Block:
    element: Block = {
        "type": "plain_text_input",
        "multiline": multiline,
        "max_length": min(max_length, MAX_INPUT_CHARS),
    }
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    return element


def option(text: str, value: str) -> Block:
    return {"text": plain(text, MAX_OPTION_TEXT), "value": value}


def select_element(options: list[Block]) -> Block:
    return {"type": "static_select", "options": options}


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
