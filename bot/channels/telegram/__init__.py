"""The Telegram channel: freelancers in private chats, agents in a group, delivery through the outbox."""
