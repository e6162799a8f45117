"""The web console for agents, supervisors and admins: server-rendered pages over the core's rules."""
