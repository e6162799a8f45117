"""The appeal intake, defined in one place: the steps, their order, choices and conditions.

Labels are keys into templates/labels.yaml; prompts are templates under templates/intake/.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

# An answer the platform's record gave (intake/on_record.py) carries `"from": FROM_PLATFORM`; its step is not asked.
FROM_PLATFORM = "platform"
StepKind = Literal["text", "choice", "multi", "date", "year", "email", "account", "files", "consent", "summary"]
Answers = Mapping[str, Any]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    aliases: tuple[str, ...] = ()
    # For a range of amounts: [low, high), so that "about 15k" finds its range.
    amounts: tuple[float, float] | None = None


@dataclass(frozen=True)
class Step:
    key: str
    kind: StepKind
    choices: tuple[Choice, ...] = ()
    optional: bool = False
    min_length: int = 0
    max_length: int = 4000
    personal: bool = False
    none_choice: Choice | None = None
    # A long answer may come in several messages, joined once the user says that is all.
    in_parts: bool = False
    # Asked only when this says so, given the answers before it; None: asked of everyone.
    when: Callable[[Answers], bool] | None = None

    @property
    def conditional(self) -> bool:
        """Whether the step depends on earlier answers (a form can only check it once they are known)."""
        return self.when is not None

    def applies(self, answers: Answers) -> bool:
        return self.when is None or self.when(answers)

    @property
    def prompt(self) -> str:
        return f"intake/steps/{self.key}.j2"

    @property
    def label(self) -> str:
        return f"field.{self.key}"

    def choice_for_amount(self, amount: float) -> Choice | None:
        return next(
            (choice for choice in self.choices if choice.amounts and choice.amounts[0] <= amount < choice.amounts[1]),
            None,
        )

    def choice(self, value: str) -> Choice | None:
        options = (*self.choices, self.none_choice) if self.none_choice else self.choices
        return next((choice for choice in options if choice and choice.value == value), None)


def _value(answers: Answers, key: str) -> Any:
    answer = answers.get(key)
    return answer.get("value") if isinstance(answer, dict) else None


def _suspended(answers: Answers) -> bool:
    return _value(answers, "what_happened") != "worried"


STEPS: tuple[Step, ...] = (
    Step("account", "account", personal=True),
    Step(
        "what_happened",
        "choice",
        choices=(
            Choice("hold", "what.hold", ("temporary", "hold", "on hold", "temporary hold", "paused")),
            Choice("restricted", "what.restricted", ("restricted", "restriction", "limited", "some features")),
            Choice("permanent", "what.permanent", ("permanent", "suspended", "banned", "ban", "closed", "deactivated")),
            Choice("worried", "what.worried", ("nothing", "worried", "not suspended", "nothing yet")),
        ),
    ),
    Step("notice_date", "date", when=_suspended),
    Step(
        "notice_text",
        "text",
        min_length=10,
        max_length=4000,
        when=_suspended,
        none_choice=Choice("none", "notice.none", ("none", "no", "none received", "nothing", "no notice", "no email")),
    ),
    Step(
        "reason_given",
        "choice",
        when=_suspended,
        choices=(
            Choice("none", "reason.none", ("no reason", "none", "nothing", "no reason given", "not told")),
            Choice("irregular", "reason.irregular", ("irregular activity", "irregular", "unusual activity")),
            Choice("identity", "reason.identity", ("identity", "verification", "id", "id check")),
            Choice("tos", "reason.tos", ("terms of service", "tos", "terms", "violation")),
            Choice("payments", "reason.payments", ("payment", "payments", "off platform", "fees")),
            Choice("multiple", "reason.multiple", ("multiple accounts", "duplicate", "second account")),
            Choice("other", "reason.other", ("other", "something else")),
        ),
    ),
    Step("member_since", "year", optional=True),
    Step(
        "badge",
        "choice",
        optional=True,
        choices=(
            Choice("none", "badge.none", ("none", "no badge", "no")),
            Choice("rising", "badge.rising", ("rising talent", "rising")),
            Choice("top", "badge.top", ("top rated", "top")),
            Choice("top_plus", "badge.top_plus", ("top rated plus", "trp", "top plus")),
            Choice("expert", "badge.expert", ("expert vetted", "expert-vetted", "expert")),
        ),
    ),
    Step(
        "earnings",
        "choice",
        optional=True,
        personal=True,
        choices=(
            Choice("lt1k", "earnings.lt1k", ("under 1000", "less than 1000", "<1k"), (0, 1_000)),
            Choice("1k_10k", "earnings.1k_10k", ("1k-10k", "1000-10000"), (1_000, 10_000)),
            Choice("10k_100k", "earnings.10k_100k", ("10k-100k", "10000-100000"), (10_000, 100_000)),
            Choice("gt100k", "earnings.gt100k", ("over 100k", "more than 100k", ">100k"), (100_000, float("inf"))),
            Choice("private", "earnings.private", ("prefer not to say", "private", "rather not say")),
        ),
    ),
    Step(
        "triggers",
        "multi",
        choices=(
            Choice("vpn_travel", "trigger.vpn_travel", ("vpn", "travel", "proxy", "trip")),
            Choice("device", "trigger.device", ("new device", "device", "login", "new phone", "new laptop")),
            Choice("payment", "trigger.payment", ("payment method", "payment", "bank", "card", "paypal")),
            Choice("dispute", "trigger.dispute", ("client dispute", "dispute", "refund", "client")),
            Choice("outside", "trigger.outside", ("contact outside", "outside", "email", "skype", "whatsapp")),
            Choice("identity", "trigger.identity", ("identity verification", "identity", "id", "verification")),
            Choice("unknown", "trigger.unknown", ("don't know", "dont know", "no idea", "unknown", "not sure")),
            Choice("other", "trigger.other", ("other", "something else")),
        ),
    ),
    Step("explanation", "text", min_length=40, max_length=12000, in_parts=True),
    Step("evidence", "files", optional=True),
    Step(
        "contact",
        "choice",
        choices=(
            Choice("chat", "contact.chat", ("here", "chat", "this chat", "here in this chat")),
            Choice("email", "contact.email", ("email", "e-mail", "mail", "by email")),
        ),
    ),
    Step("contact_email", "email", personal=True, when=lambda answers: _value(answers, "contact") == "email"),
    Step("consent", "consent"),
    Step("summary", "summary"),
)

STEP_BY_KEY: dict[str, Step] = {step.key: step for step in STEPS}
EDITABLE: tuple[str, ...] = tuple(step.key for step in STEPS if step.kind not in ("summary", "consent"))


def applicable(answers: Answers) -> list[Step]:
    """The steps this user will see, given what they answered so far."""
    return [step for step in STEPS if step.applies(answers)]


def by_platform(answer: Any) -> bool:
    """Whether an answer record came from the platform's record rather than from the user."""
    return isinstance(answer, dict) and answer.get("from") == FROM_PLATFORM


def next_step(answers: Answers, after: str | None) -> Step:
    """The first applicable step after `after` (or the first one) that still needs an answer in order;
    steps the platform's record answered are passed over."""
    steps = applicable(answers)
    if after is None:
        return steps[0]
    keys = [step.key for step in steps]
    index = keys.index(after) if after in keys else -1
    return next((step for step in steps[index + 1 :] if not by_platform(answers.get(step.key))), steps[-1])


def progress(answers: Answers, key: str) -> tuple[int, int]:
    """(position, total) of a step among the questions asked, for the '(3/12)' prefix."""
    questions = [
        step.key for step in applicable(answers) if step.kind != "summary" and not by_platform(answers.get(step.key))
    ]
    return (questions.index(key) + 1 if key in questions else len(questions), len(questions))
