"""The local channel: the freelancer's side in a terminal, with no tokens and no network."""
