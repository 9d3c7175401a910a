"""Messages in the reader's language: gettext catalogs in batch_ship/locale, English by default."""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "batch_ship"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "zh")

_translation: gettext.NullTranslations = gettext.NullTranslations()


def set_language(language: str | None = None) -> None:
    """Translate from now on into `language` ("zh", "en"); None: as the locale says
    (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, in gettext's order), English when nothing does."""
    global _translation
    if language == "en":
        _translation = gettext.NullTranslations()
        return
    languages = [language] if language else None
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=languages, fallback=True)


def language() -> str:
    """The language messages are in now: "zh" or "en"."""
    info = _translation.info()
    return "zh" if info.get("language", "").startswith("zh") else "en"


def _(message: str) -> str:
    """`message` in the current language (the English text when it has no translation)."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """`singular` or `plural` for `count`, in the current language."""
    return _translation.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a message for the catalog where it is defined; `_()` translates it where used."""
    return message


set_language()
