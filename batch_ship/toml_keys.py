"""A TOML file a person edits: read with a clear message, its keys checked (text, none unknown)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from batch_ship.errors import ConfigError
from batch_ship.i18n import _


def read_toml(path: Path) -> dict[str, Any]:
    """The file's tables; a ConfigError naming the file when it cannot be read or parsed."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(
            _("not valid TOML: {error}").format(error=error), path=path, hint=_("fix the syntax")
        ) from error
    except OSError as error:
        raise ConfigError(
            _("cannot read the file ({strerror})").format(strerror=error.strerror),
            path=path,
            hint=_("check permissions"),
        ) from error


def text_value(data: dict[str, Any], key: str, path: Path, *, required: bool = False) -> str:
    """The text under `key` ("" when absent); a ConfigError naming the file when it is not text,
    or empty while `required`."""
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ConfigError(_("{key} must be text").format(key=key), path=path)
    if required and not value.strip():
        raise ConfigError(_("{key} is missing").format(key=key), path=path)
    return value


def refuse_unknown_keys(data: dict[str, Any], known: set[str], where: str, path: Path) -> None:
    """A ConfigError listing the keys of `data` not in `known`, with the keys that are."""
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            _("unknown keys in {where}: {value}").format(where=where, value=", ".join(unknown)),
            path=path,
            hint=_("use {value}").format(value=", ".join(sorted(known))),
        )
