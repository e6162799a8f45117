"""What the bot remembers of a conversation between turns, typed (kept as JSON in `conversations.memo`).

The stored shape is the one the column has always held (a missing key is its default), so rows
written before this model read back as they were.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from bot.store.models import Conversation

MAX_QUESTION_CHARS = 2000


class NextText(StrEnum):
    """What the user's next message is, after the bot asked for it."""

    FOR_A_PERSON = "for_a_person"  # a question passed on to a person
    RULE_QUESTION = "rule_question"  # a question for the rule answers


class ConversationMemo(BaseModel):
    """`last_question` is offered to pass on to a person; `comforted` says the user was told we are
    sorry already; `typed_choices` are the payloads of the choices last listed as numbers to type;
    `last_answer` is the rule answer last shown, until the user asks for a person after it."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    last_question: str | None = Field(default=None, max_length=MAX_QUESTION_CHARS)
    comforted: bool = False
    next_text: NextText | None = None
    typed_choices: list[str] = Field(default_factory=list)
    last_answer: int | None = None

    @classmethod
    def of(cls, conversation: Conversation) -> ConversationMemo:
        return cls.model_validate(conversation.memo or {})

    def keep(self, conversation: Conversation) -> None:
        """Writes the memo back to its column (a new value, so the change is saved)."""
        conversation.memo = self.model_dump(mode="json", exclude_defaults=True)

    def asked(self, question: str) -> None:
        self.last_question = question[:MAX_QUESTION_CHARS]
