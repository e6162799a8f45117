"""The channel-agnostic core: it knows nothing of Telegram, Slack or the web."""
