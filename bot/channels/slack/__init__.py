"""The Slack adapter: freelancers in a DM, App Home and a form; agents in a channel. Transport only."""
