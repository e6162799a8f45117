"""Channel adapters: thin translators between a platform and the core."""
