"""The web chat: freelancers talk to the core in a browser at `/`, identified by a signed cookie."""
