"""Platform adapters: the only code that knows about Telegram, Discord or a terminal."""
