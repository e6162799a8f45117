"""Questions and entries are normalised the same way, so hurried, misspelt or accented text still matches."""

from __future__ import annotations

import pytest

from bot.core.knowledge.normalise import Normaliser, build_lexicon, clean_words, load_lexicon, stem

from .conftest import KNOWLEDGE


@pytest.fixture(scope="module")
def normaliser() -> Normaliser:
    return Normaliser(load_lexicon(KNOWLEDGE / "synonyms.yaml"))


def test_unicode_is_folded_accents_stripped_and_apostrophes_joined() -> None:
    assert clean_words("Don’t ＶＰＮ Café — NAÏVE e-mail!!") == ["dont", "vpn", "cafe", "naive", "e", "mail"]


def test_non_latin_letters_keep_their_marks() -> None:
    assert clean_words("Ёлка й") == ["ёлка", "й"]


def test_abbreviations_expand(normaliser: Normaliser) -> None:
    assert normaliser.terms("pls my acc") == normaliser.terms("please my account") == ["account"]


def test_common_typos_are_fixed(normaliser: Normaliser) -> None:
    assert normaliser.terms("withdrawl") == normaliser.terms("withdrawal")
    assert normaliser.terms("acount suspened") == normaliser.terms("account suspended")


def test_multi_word_variants_map_to_one_canonical_term(normaliser: Normaliser) -> None:
    assert normaliser.terms("NordVPN") == normaliser.terms("virtual private network") == ["vpn"]
    assert normaliser.terms("AnyDesk") == normaliser.terms("remote desktop")
    assert normaliser.terms("I logged in") == normaliser.terms("sign in") == ["login"]


def test_stop_words_are_dropped_from_terms_but_kept_in_words(normaliser: Normaliser) -> None:
    assert "can" in normaliser.words("can I use a VPN")
    assert normaliser.terms("can I use a VPN") == ["vpn"]


@pytest.mark.parametrize(
    ("words", "same"),
    [
        (["account", "accounts"], True),
        (["verify", "verified", "verifies", "verifying"], True),
        (["close", "closed", "closing", "closes"], True),
        (["stop", "stopped", "stopping"], True),
        (["bill", "billing"], True),
        (["need", "needed"], True),
        (["vpn", "vps"], False),
    ],
)
def test_the_stemmer_joins_inflections(words: list[str], same: bool) -> None:
    assert (len({stem(word) for word in words}) == 1) is same


def test_a_lexicon_can_be_built_in_code() -> None:
    normaliser = Normaliser(build_lexicon({"ty": "thank you", "acc": "account"}, {"payout": ["cash out", "pay-out"]}))

    assert normaliser.terms("acc cash-out") == ["account", "payout"]
    assert normaliser.words("ty") == ["thank", "you"]
