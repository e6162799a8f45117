"""`/kb test <question>` and `/kb show <id>` in chat, for configured admins only."""

from __future__ import annotations

from dataclasses import asdict

from bot.config import Settings
from bot.core.knowledge.explain import explain_question
from bot.core.knowledge.library import KnowledgeLibrary
from bot.core.turn import Turn


class KnowledgeAdmin:
    def __init__(self, library: KnowledgeLibrary, settings: Settings) -> None:
        self.library = library
        self.settings = settings

    def command(self, turn: Turn, rest: str) -> None:
        identity = turn.inbound.identity
        if identity.key not in self.settings.admins:
            turn.say("admin/refused.j2")
            return
        verb, _, argument = rest.partition(" ")
        argument = argument.strip()
        if verb == "test" and argument:
            turn.say("admin/kb_test.j2", **explain_question(self.library, argument))
        elif verb == "show" and argument:
            entry = self.library.entry(argument)
            if entry is None:
                turn.say("admin/kb_unknown.j2", entry_id=argument)
                return
            turn.say(
                "admin/kb_show.j2",
                entry=asdict(entry),  # plain data: replies are stored in the outbox as JSON
                answer=entry.public_answer(self.settings.platform_name),
                revisions=len(self.library.history(entry.id, turn.session)),
            )
        else:
            turn.say("admin/kb_usage.j2")
