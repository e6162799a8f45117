"""Rule answers: knowledge entry files, their validation, and matching user questions to entries (no database)."""

from bot.core.knowledge.confidence import Thresholds
from bot.core.knowledge.entry import Entry, dump_entry, load_dir, parse_entry
from bot.core.knowledge.evaluation import Item, Report, evaluate, read_items
from bot.core.knowledge.matcher import Match, Matcher, MatchResult
from bot.core.knowledge.normalise import Lexicon, Normaliser, load_lexicon
from bot.core.knowledge.problems import EntryError, Problem
from bot.core.knowledge.validation import check_dir, check_texts

__all__ = [
    "Entry",
    "EntryError",
    "Item",
    "Lexicon",
    "Match",
    "MatchResult",
    "Matcher",
    "Normaliser",
    "Problem",
    "Report",
    "Thresholds",
    "check_dir",
    "check_texts",
    "dump_entry",
    "evaluate",
    "load_dir",
    "load_lexicon",
    "parse_entry",
    "read_items",
]
