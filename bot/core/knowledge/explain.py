"""Why the matcher answered as it did, as plain data: for `/kb test` in chat and the console's test box.

Per candidate: its fused score and the signals it was made of (word score and weight, meaning score and the raw
e5 cosines behind it, the window of a long message that matched, and the reranker's weighted sum, which ordered
the first few); for the question: the outcome and the calibrated probability that the first candidate is right.
Plain data, so replies can be stored as JSON.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.knowledge.matcher import Explanation, MatchResult


class Explains(Protocol):
    def explain(self, question: str, top: int = 3) -> tuple[MatchResult, list[Explanation]]: ...


def explain_question(source: Explains, question: str, top: int = 5) -> dict[str, object]:
    result, explanations = source.explain(question, top=top)
    return {
        "question": question,
        "outcome": result.outcome,
        "probability": result.probability,
        "matches": [
            {
                "id": match.entry_id,
                "title": match.title,
                "score": match.score,
                "lexical": why.lexical,
                "weight": why.lexical_weight,
                "semantic": why.semantic,
                "meanings": why.meanings,
                "window": why.window,
                "rerank": why.rerank,
            }
            for match, why in zip(result.matches, explanations, strict=True)
        ],
    }
