"""The workspace (--home): configuration, the ledger path and per-batch output folders."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from batch_ship.config_schema import split_codes, validate
from batch_ship.errors import ConfigError
from batch_ship.i18n import _
from batch_ship.route_rules import Route, parse_routes
from batch_ship.template_dirs import template_files
from batch_ship.toml_keys import read_toml

CONFIG_NAME = "batch_ship.toml"
LEDGER_NAME = "ledger.sqlite3"
BATCHES_DIR = "batches"
HOME_ENV = "BATCH_SHIP_HOME"
FOLDER_KEYS = ("inbox", "returns", "archive", "failed")  # [folders] keys besides templates


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
class ParcelSettings:
    """`[parcel]`: what the courier columns parcel.note, weight_kg, declared_value and
    cod_amount carry (couriers/*.toml use them where the courier has such a column)."""

    note: tuple[str, ...] = ("order_ids",)  # joined with a space: order_ids, seller_note, ...
    note_max: int = 100  # characters; a longer note is cut, ending in …
    weights: Path | None = None  # the item weight table (CSV: item code, grams)
    default_weight_g: int | None = None  # an item the table lacks; None: no weight at all
    insure_above: int | None = None  # yuan: a parcel paid more is insured for what was paid
    cod: bool = False  # cash on delivery: the amount paid is collected


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
    routes: tuple[Route, ...] = ()  # [[route]] tables, in order: the first match wins
    parcel: ParcelSettings = field(default_factory=ParcelSettings)
    stock: StockConfig = field(default_factory=lambda: StockConfig())


@dataclass(frozen=True)
class StockConfig:
    """[stock]: couriers whose exports take numbers from stock, the warning threshold, labels
    per PDF (0: the courier template's), and printer files written beside the PDFs."""

    couriers: tuple[str, ...] = ()
    warn_below: int = 500
    labels_per_file: int = 0
    printer: str = ""


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
    """The workspace at `home` (default: $BATCH_SHIP_HOME, else the current directory).

    A path of the workspace of the wrong kind (a file where a folder belongs, or the reverse)
    is a ConfigError naming it, before any command trips over it."""
    root = Path(home or os.environ.get(HOME_ENV) or ".").expanduser()
    if root.exists() and not root.is_dir():
        raise ConfigError(
            _("--home {root} is a file, not a folder").format(root=root),
            hint=_("point --home at a folder"),
        )
    workspace = Workspace(home=root, config=load_config(root / CONFIG_NAME))
    _check_kinds(workspace)
    return workspace


def _check_kinds(workspace: Workspace) -> None:
    config = workspace.config
    folders = [workspace.batches_dir, *(workspace.folder(name) for name in FOLDER_KEYS)]
    if config.templates is not None:
        folders.append(config.templates)
    for folder in folders:
        if folder.exists() and not folder.is_dir():
            raise ConfigError(
                _("{folder} is a file, not a folder").format(folder=folder),
                path=folder,
                hint=_(
                    "move or rename that file (or name another folder under [folders] in "
                    "{CONFIG_NAME})"
                ).format(CONFIG_NAME=CONFIG_NAME),
            )
    if workspace.ledger_path.is_dir():
        raise ConfigError(
            _("{ledger_path} is a folder where batch-ship keeps its ledger file").format(
                ledger_path=workspace.ledger_path
            ),
            path=workspace.ledger_path,
            hint=_("move or rename that folder"),
        )


def load_config(path: Path) -> Config:
    """Read batch_ship.toml, checked against its schema (config_schema.py); a missing file
    means all defaults."""
    if path.is_dir():
        raise ConfigError(
            _("{path} is a folder; the configuration is a file").format(path=path),
            path=path,
            hint=_(
                "move or rename that folder (batch-ship init writes a commented {CONFIG_NAME})"
            ).format(CONFIG_NAME=CONFIG_NAME),
        )
    if not path.exists():
        return Config()
    data = read_toml(path)
    config = _config_from(validate(data, path), path)
    if "route" not in data:
        return config
    couriers = template_files("couriers", config.templates)
    return replace(config, routes=parse_routes(data["route"], path, couriers))


def _config_from(data: dict[str, dict[str, Any]], path: Path) -> Config:
    """A Config from sections the schema already checked (types and values)."""
    defaults, folders = data.get("defaults", {}), data.get("folders", {})
    base = Config()
    templates = folders.get("templates") or None
    return Config(
        sender=Sender(**data.get("sender", {})),
        courier=defaults.get("courier", base.courier),
        merge=defaults.get("merge", base.merge),
        marketplace=defaults.get("marketplace", base.marketplace),
        templates=(path.parent / templates) if templates else None,
        parcel=_parcel(data.get("parcel", {}), path),
        **{name: folders.get(name, getattr(base, name)) for name in FOLDER_KEYS},
        stock=_stock(data.get("stock", {})),
    )


def _stock(section: dict[str, Any]) -> StockConfig:
    """[stock] as checked by the schema."""
    return StockConfig(
        couriers=tuple(split_codes(section.get("couriers", ""))),
        warn_below=section.get("warn_below", StockConfig.warn_below),
        labels_per_file=section.get("labels_per_file", 0),
        printer=section.get("printer", ""),
    )


def _parcel(section: dict[str, Any], path: Path) -> ParcelSettings:
    """[parcel] as checked by the schema; the weight table relative to the workspace."""
    base = ParcelSettings()
    weights = section.get("weights")
    return ParcelSettings(
        note=tuple(section.get("note", base.note)),
        note_max=section.get("note_max", base.note_max),
        weights=path.parent / weights if weights else None,
        default_weight_g=section.get("default_weight_g"),
        insure_above=section.get("insure_above"),
        cod=section.get("cod", base.cod),
    )
