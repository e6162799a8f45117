"""Which language a question is in, so that an English answer can say, in the user's language, that it is English.

Deliberately small: the entries are English and we only need to know when a question is not, and, for the
languages our users write in most, which one, to pick the line that says so. Cyrillic text is Russian unless it
has letters or function words only Ukrainian uses; Latin-script text is judged by its function words and the
characters only one of the languages writes (Spanish, Portuguese, transliterated Russian, Hinglish) against
English function words. Anything unsure counts as English.
"""

from __future__ import annotations

import re

WORD = re.compile(r"[^\W\d_]+")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
UKRAINIAN = re.compile(r"[іїєґ]")
MIN_MARKERS = 2


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Ukrainian words Russian does not use (Russian: ли, что, как, это, но, мой, мне, уже, который, поэтому, где).
UKRAINIAN_WORDS = _words("чи що як це але мій моя моє мої мені вже який яка яке тому коли де")
# Short, frequent words that are not English words (and, within a list, rare in the others).
MARKERS: dict[str, frozenset[str]] = {
    "es": _words(
        "el los las una del por pero qué cómo cuál puedo tengo está estoy mi mis cuenta hay también si muy "
        "le les lo ya para con que es me la en al sin"
    ),
    "pt": _words(
        "não você vocês meu meus minha minhas uma um pela pelo posso tenho está estou conta tem isso depois "
        "faço fui também ao da do das dos para com que é me na em ele ela pra seu sua"
    ),
    "ru-latn": _words(
        "ya menya mne chto eto kak mozhno pochemu esli ili ne na posle uzhe delat chtoby kogda gde "
        "moy moi moya u v s i a no tolko est net byl ego ee li za po iz ot nuzhno kakie takoy takoj mozhet"
    ),
    "hi-latn": _words(
        "mera meri mere hai hain ho kya kaise se ka ki ke nahi bhai yaar raha rahi kar karu karna mein "
        "sakta sakti bol de do hu hoon aur lekin agar toh"
    ),
}
# Characters only one of the Latin-script languages writes: each one counts as a marker.
LETTERS: dict[str, frozenset[str]] = {"es": frozenset("ñ¿¡"), "pt": frozenset("ãõç")}
ENGLISH = _words(
    "i me my you your the a an is are was be to of in on for with and or but not can could should will would "
    "do does did have has what why how when where which if it this that my am"
)


def question_language(text: str) -> str:
    """`en`, `ru`, `uk`, `es`, `pt`, `ru-latn` (Russian in Latin letters) or `hi-latn` (Hinglish)."""
    folded = text.casefold()
    letters = [char for char in folded if char.isalpha()]
    if not letters:
        return "en"
    cyrillic = sum(bool(CYRILLIC.match(char)) for char in letters)
    words = WORD.findall(folded)
    if cyrillic * 2 >= len(letters):
        ukrainian = UKRAINIAN.search(folded) or any(word in UKRAINIAN_WORDS for word in words)
        return "uk" if ukrainian else "ru"
    english = sum(word in ENGLISH for word in words)
    counts = {
        language: sum(word in markers for word in words)
        + sum(char in LETTERS.get(language, frozenset()) for char in folded)
        for language, markers in MARKERS.items()
    }
    language, found = max(counts.items(), key=lambda pair: pair[1])
    return language if found >= MIN_MARKERS and found > english else "en"
