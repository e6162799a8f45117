"""The store: every piece of state lives here, so a restart or a second worker loses nothing."""
