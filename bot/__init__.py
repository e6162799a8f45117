"""AppealDesk: appeal intake and rule answers for suspended freelancers."""

__version__ = "0.1.0"
