"""The rows every turn starts from: the update's dedupe record, the user, and their locked conversation.

Each is an upsert that two workers may race on: the loser of an insert reads the winner's row, so the
same update, user or conversation is never kept twice.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.core.clock import Clock
from bot.core.events import Identity, Inbound
from bot.store.db import insert_or_skip
from bot.store.models import Conversation, ProcessedUpdate, User


class ChatRepository:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def first_delivery(self, session: Session, inbound: Inbound) -> bool:
        """Records the update id; False if it was recorded before (a redelivery changes nothing).

        A second worker recording the same id at the same moment waits for the first one's transaction,
        and records nothing if it commits."""
        record = {
            "channel": inbound.identity.channel,
            "update_id": str(inbound.update_id)[:128],
            "processed_at": self.clock.now(),
        }
        statement = insert_or_skip(session, ProcessedUpdate).values(record).returning(col(ProcessedUpdate.update_id))
        return session.execute(statement).first() is not None

    def user(self, session: Session, inbound: Inbound) -> User:
        """The user behind the identity, created on first contact; their chat and name follow the platform's,
        and a message from them means they can be reached again."""
        identity = inbound.identity
        user = session.exec(_user_query(identity)).first()
        if user is None:
            user = User(
                channel=identity.channel,
                platform_user_id=identity.user_id,
                chat_id=identity.chat_id,
                display_name=inbound.display_name,
                created_at=self.clock.now(),
            )
            try:
                with session.begin_nested():
                    session.add(user)
                    session.flush()
            except IntegrityError:
                user = session.exec(_user_query(identity)).one()
        changed = user.chat_id != identity.chat_id or (
            inbound.display_name and user.display_name != inbound.display_name
        )
        if changed or user.undeliverable_at is not None:
            user.chat_id = identity.chat_id
            user.display_name = inbound.display_name or user.display_name
            user.undeliverable_at = None
            session.add(user)
        return user

    def conversation(self, session: Session, user: User) -> Conversation:
        """The user's conversation, locked for this transaction so two workers never interleave."""
        query = select(Conversation).where(Conversation.user_id == user.id).with_for_update()
        conversation = session.exec(query).first()
        if conversation is None:
            conversation = Conversation(user_id=user.id or 0, updated_at=self.clock.now())
            try:
                with session.begin_nested():
                    session.add(conversation)
                    session.flush()
            except IntegrityError:
                conversation = session.exec(query).one()
        return conversation


def _user_query(identity: Identity) -> SelectOfScalar[User]:
    return select(User).where(User.channel == identity.channel, User.platform_user_id == identity.user_id)
