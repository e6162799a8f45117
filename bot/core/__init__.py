"""The channel-agnostic core: it names no platform and imports no channel, the web or the CLI."""
