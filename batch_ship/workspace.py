"""The workspace (--home): configuration, the ledger path and per-batch output folders."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from batch_ship.errors import ConfigError
from batch_ship.i18n import _

CONFIG_NAME = "batch_ship.toml"
LEDGER_NAME = "ledger.sqlite3"
BATCHES_DIR = "batches"
HOME_ENV = "BATCH_SHIP_HOME"


@dataclass(frozen=True)
class Sender:
    """The 寄件人 block every courier template fills from `[sender]`."""

    name: str = ""
    phone: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    address: str = ""


@dataclass(frozen=True)
class Config:
    sender: Sender = field(default_factory=Sender)
    courier: str = "zto"
    merge: bool = True
    marketplace: str = "taobao"
    templates: Path | None = None  # its couriers/, marketplaces/ and sources/ override built-ins
    inbox: str = "inbox"
    returns: str = "returns"
    archive: str = "archive"
    failed: str = "failed"  # daily moves a file that failed here, with its error beside it


@dataclass(frozen=True)
class Workspace:
    home: Path
    config: Config

    @property
    def ledger_path(self) -> Path:
        return self.home / LEDGER_NAME

    @property
    def batches_dir(self) -> Path:
        return self.home / BATCHES_DIR

    def batch_dir(self, batch_id: str) -> Path:
        return self.batches_dir / batch_id

    def folder(self, name: str) -> Path:
        """inbox / returns / archive / failed, as configured, relative to home."""
        folder: str = getattr(self.config, name)
        return self.home / folder


def open_workspace(home: Path | str | None = None) -> Workspace:
    """The workspace at `home` (default: $BATCH_SHIP_HOME, else the current directory)."""
    root = Path(home or os.environ.get(HOME_ENV) or ".").expanduser()
    if root.exists() and not root.is_dir():
        raise ConfigError(
            _("--home {root} is a file, not a folder").format(root=root),
            hint=_("point --home at a folder"),
        )
    return Workspace(home=root, config=load_config(root / CONFIG_NAME))


def load_config(path: Path) -> Config:
    """Read batch_ship.toml; a missing file means all defaults."""
    if not path.exists():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(
            _("not valid TOML: {error}").format(error=error), path=path, hint=_("fix the syntax")
        ) from error
    return _config_from(data, path)


def _config_from(data: dict[str, Any], path: Path) -> Config:
    sender_data = data.get("sender", {})
    defaults = data.get("defaults", {})
    folders = data.get("folders", {})
    for section, value in (("sender", sender_data), ("defaults", defaults), ("folders", folders)):
        if not isinstance(value, dict):
            raise ConfigError(_("[{section}] must be a table").format(section=section), path=path)
    known = set(Sender.__dataclass_fields__)
    unknown = set(sender_data) - known
    if unknown:
        raise ConfigError(
            _("unknown [sender] keys: {value}").format(value=", ".join(sorted(unknown))),
            path=path,
            hint=_("use {value}").format(value=", ".join(sorted(known))),
        )
    sender = Sender(**{key: str(value) for key, value in sender_data.items()})
    templates = folders.get("templates") or None
    merge = defaults.get("merge", True)
    if not isinstance(merge, bool):
        raise ConfigError(_("[defaults] merge must be true or false"), path=path)
    return Config(
        sender=sender,
        courier=str(defaults.get("courier", "zto")),
        merge=merge,
        marketplace=str(defaults.get("marketplace", "taobao")),
        templates=(path.parent / templates) if templates else None,
        inbox=str(folders.get("inbox", "inbox")),
        returns=str(folders.get("returns", "returns")),
        archive=str(folders.get("archive", "archive")),
        failed=str(folders.get("failed", "failed")),
    )
