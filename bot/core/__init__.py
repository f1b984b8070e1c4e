"""The neutral core: events, messages, router, context, inbox, outbox, delivery."""
