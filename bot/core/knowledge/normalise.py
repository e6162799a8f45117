"""Text normalisation shared by the index and the questions, so both sides meet in the same vocabulary.

Users write in a hurry, on phones, often in their second language: "acc suspended pls help", "withdrawl",
"e-mail", "NordVPN". We fold case and Unicode, expand abbreviations and common typos, map variants to one
canonical term (knowledge/synonyms.yaml, editable by admins) and strip English suffixes with a tiny stemmer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

WORD = re.compile(r"[^\W_]+")
APOSTROPHES = re.compile(r"(?<=\w)['’ʼ`´](?=\w)")
UNDOUBLE = set("bgmnprt")
VOWELS = set("aeiouy")

# Function words, chat fillers and generic verbs found in every topic: with a few dozen entries their document
# frequency is too noisy to tell topics apart, so they would only add noise to the score.
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "anyone",
        "anything",
        "are",
        "as",
        "at",
        "be",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "either",
        "else",
        "even",
        "ever",
        "every",
        "for",
        "from",
        "further",
        "get",
        "gets",
        "getting",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "however",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "let",
        "like",
        "may",
        "maybe",
        "me",
        "might",
        "mine",
        "more",
        "most",
        "much",
        "must",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "ok",
        "okay",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "please",
        "pls",
        "really",
        "same",
        "say",
        "says",
        "see",
        "seem",
        "she",
        "should",
        "so",
        "some",
        "still",
        "such",
        "sure",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "thing",
        "things",
        "this",
        "those",
        "though",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "very",
        "via",
        "was",
        "we",
        "well",
        "were",
        "what",
        "whatever",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yes",
        "yet",
        "you",
        "your",
        "yours",
        "yourself",
        "hi",
        "hello",
        "hey",
        "dear",
        "thanks",
        "thank",
        "regards",
        "sir",
        "madam",
        "question",
        "questions",
        "ask",
        "asking",
        "know",
        "want",
        "wants",
        "wanted",
        "need",
        "needs",
        "tell",
        "help",
        "pls",
        "plz",
        "one",
        "also",
        "already",
        "use",
        "make",
        "makes",
        "made",
        "making",
        "take",
        "takes",
        "took",
        "taking",
        "look",
        "looks",
        "looking",
        "nothing",
        "something",
        "everything",
        "anything",
        "better",
        "best",
        "good",
        "bad",
        "alone",
        "way",
        "ways",
        "go",
        "goes",
        "going",
        "went",
        "come",
        "comes",
        "came",
        "give",
        "gives",
        "gave",
        "put",
        "try",
        "tried",
        "keep",
        "think",
        "thought",
        "mean",
        "means",
        "right",
        "lot",
        "lots",
        "many",
        "thing",
        "stuff",
        "actually",
        "basically",
        "honestly",
        "literally",
    ]
)


@dataclass(frozen=True)
class Lexicon:
    """Admin-editable vocabulary: single-word replacements and multi-word variants of canonical terms."""

    replacements: dict[str, tuple[str, ...]] = field(default_factory=dict)
    synonyms: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)


def load_lexicon(path: str | Path) -> Lexicon:
    """Read synonyms.yaml: `abbreviations` and `typos` (word -> text) and `synonyms` (canonical -> [variants])."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return build_lexicon(
        replacements={**(data.get("abbreviations") or {}), **(data.get("typos") or {})},
        synonyms=data.get("synonyms") or {},
    )


def build_lexicon(replacements: dict[str, str], synonyms: dict[str, list[str]]) -> Lexicon:
    """Keys and variants go through the same cleaning as user text, so `e-mail` in the file matches `E-Mail`."""
    words = {tuple(clean_words(str(key))): tuple(clean_words(str(value))) for key, value in replacements.items()}
    single = {key[0]: value for key, value in words.items() if len(key) == 1}
    variants: dict[tuple[str, ...], tuple[str, ...]] = {}
    for canonical, forms in synonyms.items():
        target = tuple(stem(word) for word in _replace(clean_words(str(canonical)), single))
        for form in [canonical, *(forms or [])]:
            key = tuple(stem(word) for word in _replace(clean_words(str(form)), single))
            if key:
                variants[key] = target
    return Lexicon(single, variants)


class Normaliser:
    """Turns text into stemmed canonical words (`words`) and the content terms used for scoring (`terms`)."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or Lexicon()
        sizes: dict[str, set[int]] = {}
        for key in self.lexicon.synonyms:
            sizes.setdefault(key[0], set()).add(len(key))
        self.sizes = {first: sorted(found, reverse=True) for first, found in sizes.items()}  # longest first

    def words(self, text: str) -> list[str]:
        """All words after replacements, stemming and synonym mapping (longest variant wins)."""
        stems = [stem(word) for word in _replace(clean_words(text), self.lexicon.replacements)]
        out: list[str] = []
        i = 0
        while i < len(stems):
            for size in self.sizes.get(stems[i], ()):
                canonical = self.lexicon.synonyms.get(tuple(stems[i : i + size]))
                if canonical is not None:
                    out.extend(canonical)
                    i += size
                    break
            else:
                out.append(stems[i])
                i += 1
        return out

    def terms(self, text: str) -> list[str]:
        """Content terms in order; stop words are compared as stems, so their inflections go too (asks, tried)."""
        return [word for word in self.words(text) if word not in STOP_STEMS]


def clean_words(text: str) -> list[str]:
    """NFKC + casefold, accents stripped from Latin letters, apostrophes joined ("don't" -> dont), split on the rest."""
    text = APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).casefold())
    if text.isascii():
        return WORD.findall(text)
    decomposed = unicodedata.normalize("NFD", text)
    kept = [
        char
        for index, char in enumerate(decomposed)
        if not (unicodedata.combining(char) and index and decomposed[index - 1].isascii())
    ]
    return WORD.findall(unicodedata.normalize("NFC", "".join(kept)))


def _replace(words: list[str], replacements: dict[str, tuple[str, ...]]) -> list[str]:
    return [part for word in words for part in replacements.get(word, (word,))]


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A deliberately small English suffix stripper: plurals, -ed, -ing, final -e. Same input, same stem."""
    if len(word) < 3 or not word.isalpha() or not word.isascii():
        return word
    if (word.endswith("ies") and len(word) > 4) or (word.endswith("ied") and len(word) > 4):
        word = word[:-3] + "y"
    elif word.endswith("sses") or word.endswith(("ches", "shes", "xes", "zes", "ses")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    elif word.endswith("ing") and _has_vowel(word[:-3]) and len(word) > 4:
        word = _undouble(word[:-3])
    elif word.endswith("ed") and not word.endswith("eed") and _has_vowel(word[:-2]) and len(word) > 3:
        word = _undouble(word[:-2])
    if word.endswith("e") and not word.endswith("ee") and len(word) > 2:
        word = word[:-1]
    return word


def _has_vowel(text: str) -> bool:
    return any(char in VOWELS for char in text)


def _undouble(word: str) -> str:
    return word[:-1] if len(word) > 2 and word[-1] == word[-2] and word[-1] in UNDOUBLE else word


STOP_STEMS = frozenset(stem(word) for word in STOPWORDS)
