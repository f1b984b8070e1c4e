"""The project's ASGI web app: health checks, the Telegram webhook, and later the dashboard."""
