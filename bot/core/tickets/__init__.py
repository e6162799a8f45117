"""Tickets: the lifecycle state machine, the service agents act through, and the views they read."""
