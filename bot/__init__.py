"""copro-bot: a chat bot for co-production communities."""

__version__ = "0.1.0"
