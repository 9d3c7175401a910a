"""The template folders: the shipped templates/ and a workspace's override folder."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from batch_ship.errors import ConfigError
from batch_ship.i18n import _


def builtin_templates() -> Path:
    """The shipped templates/ folder: the installed package data, else the source tree."""
    try:
        root = Path(str(importlib.resources.files("batch_ship.templates")))
        if root.is_dir():
            return root
    except (ModuleNotFoundError, TypeError):  # an editable install without templates/__init__
        pass
    return Path(__file__).resolve().parents[1] / "templates"


def template_files(kind: str, override: Path | None = None) -> dict[str, Path]:
    """`<kind>/*.toml` by code (the file's stem): the built-ins, then the override folder's
    `<kind>/` (a file with a built-in's name replaces it, a new name adds one), sorted."""
    files = {path.stem: path for path in (builtin_templates() / kind).glob("*.toml")}
    if override is not None:
        if override.exists() and not override.is_dir():
            raise ConfigError(_("the templates folder is a file"), path=override)
        folder = override / kind
        if folder.is_dir():
            files.update({path.stem: path for path in folder.glob("*.toml")})
    return dict(sorted(files.items()))
