"""Translation status and review: who checked which catalog, and every correction.

- `status`: `locales/status.toml` says whether a fluent speaker reviewed each
  catalog; `translation_status()` adds how much is translated, for the README
  table and the dashboard.
- `review`: `copro-bot translations review LANG` steps through strings in the
  console, writes corrections back into the `.po` file, and records each
  approval or correction (the basis for paying the reviewer).
- `contributions`: the per-reviewer summary staff pay from.
"""

from bot.translations.status import LanguageStatus, load_status, translation_status

__all__ = ["LanguageStatus", "load_status", "translation_status"]
