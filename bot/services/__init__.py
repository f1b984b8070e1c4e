"""Feature services shared by chat handlers, the CLI, the scheduler and the dashboard.

They take a database session (and settings/translations when they write
messages) and never a handler context, so every caller gets the same rules.
"""
