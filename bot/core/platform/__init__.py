"""The marketplace's own systems talking to the desk: their API keys, account actions and reads.

The HTTP surface is `bot/web/api/`; every rule it applies is here, so the CLI and the console apply
the same ones.
"""
