"""The language of a question, for the line saying an English answer is English; unsure means English."""

from __future__ import annotations

import pytest

from bot.core.knowledge.language import question_language


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("is a vpn allowed?", "en"),
        ("my acc got suspended, what i can do??", "en"),
        ("Можно ли пользоваться VPN во время работы?", "ru"),
        ("Мой account on hold после того как я залогинился из Грузии", "ru"),
        ("Мій акаунт на утриманні вже 20 днів. Це тимчасово?", "uk"),
        ("¿Cómo sé si mi apelación ya la está revisando una persona?", "es"),
        ("Posso deixar meu irmão usar minha conta enquanto estou de férias?", "pt"),
        ("privet, u menya staryy akkaunt i novyy, chto delat?", "ru-latn"),
        ("bhai mera account suspend ho gaya, appeal kaise karu?", "hi-latn"),
        # Few function words: the characters only one language writes decide.
        ("¿Cada cuánto se actualiza el Job Success Score?", "es"),
        ("Preciso de comprovação de endereço?", "pt"),
        # Ukrainian without the letters Russian lacks: its own function words decide.
        ("Чи може акаунт бути заблокований помилково?", "uk"),
        ("poteryal status top rated, kak ego vernut?", "ru-latn"),
        # One foreign letter in an English question (a name) does not make it Spanish.
        ("Can I invoice my client Peña through my account?", "en"),
        ("", "en"),
        ("12345 ???", "en"),
    ],
)
def test_the_language_of_a_question(question: str, language: str) -> None:
    assert question_language(question) == language
