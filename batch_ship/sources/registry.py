"""Every order source by name, and the choice of one by a file's content."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from batch_ship.errors import ConfigError, InputError
from batch_ship.i18n import _
from batch_ship.progress import Progress, no_progress
from batch_ship.sources.base import OrderInput, Source, as_list
from batch_ship.sources.mapping import load_mapping, valid_code
from batch_ship.sources.peek import head_rows
from batch_ship.sources.taobao import TaobaoSource
from batch_ship.template_dirs import template_files

if TYPE_CHECKING:
    from batch_ship.sources.canonical import OrderTable

# Sources written in Python, by code; the first is the default for a file no source claims
# (its reader then says precisely what is wrong with it). Column-mapped sources come from
# templates/sources/*.toml and a workspace's own templates folder.
BUILTIN: dict[str, Callable[[Path | None], Source]] = {"taobao": TaobaoSource}
DEFAULT = "taobao"
MAPPINGS = "sources"


def available_sources(templates_dir: Path | None = None) -> list[str]:
    """Source codes: the built-in ones, then the column mappings (workspace overrides applied)."""
    return [*BUILTIN, *(code for code in template_files(MAPPINGS, templates_dir) if code)]


def get_source(code: str, templates_dir: Path | None = None) -> Source:
    """One source by code; ConfigError listing the valid ones when unknown."""
    code = code.strip().lower()
    if code in BUILTIN:
        return BUILTIN[code](templates_dir)
    files = template_files(MAPPINGS, templates_dir)
    if code not in files or not valid_code(code):
        raise ConfigError(
            _("unknown source {code!r}").format(code=code),
            hint=_(
                "use one of {value}, or describe the file's columns in "
                "{MAPPINGS}/{code}.toml in your templates folder"
            ).format(
                value=", ".join(available_sources(templates_dir)), MAPPINGS=MAPPINGS, code=code
            ),
        )
    return load_mapping(code, files[code])


def all_sources(templates_dir: Path | None = None) -> list[Source]:
    """Every source, built-in first."""
    mapped: list[Source] = [
        load_mapping(code, path)
        for code, path in template_files(MAPPINGS, templates_dir).items()
        if code not in BUILTIN and valid_code(code)
    ]
    return [factory(templates_dir) for factory in BUILTIN.values()] + mapped


def detect_source(inputs: Sequence[OrderInput], templates_dir: Path | None = None) -> Source:
    """The source of these files, chosen by their first rows: the one that knows the most of
    a file's header cells (a column mapping over a built-in on a tie: it was written for the
    file). A file no source knows goes to the default, whose reader explains what is wrong.
    Files of different sources are refused: read them one source at a time."""
    sources = all_sources(templates_dir)
    chosen: dict[str, list[str]] = {}
    picked: Source | None = None
    for item in inputs:
        head = head_rows(item)
        ranked = sorted(
            ((source.score(head), index, source) for index, source in enumerate(sources)),
            key=lambda entry: (entry[0], entry[1]),
        )
        score, _unused, best = ranked[-1]
        source = best if score > 0 else sources[0]
        chosen.setdefault(source.code, []).append(_name(item))
        picked = picked or source
    if len(chosen) > 1:
        listed = "; ".join(f"{code}: {', '.join(names)}" for code, names in chosen.items())
        raise InputError(
            _("these files come from different sources ({listed})").format(listed=listed),
            hint=_("run once per source, or name one with --source"),
        )
    return picked or sources[0]


def choose_source(
    inputs: Sequence[OrderInput], code: str | None = None, templates_dir: Path | None = None
) -> Source:
    """`--source CODE` when given, else the source detected from the files' content."""
    if code:
        return get_source(code, templates_dir)
    return detect_source(inputs, templates_dir)


def read_orders(
    paths: Sequence[OrderInput] | OrderInput,
    items: Sequence[OrderInput] | OrderInput | None = None,
    progress: Progress = no_progress,
    *,
    source: str | None = None,
    templates_dir: Path | None = None,
) -> OrderTable:
    """Read order files of one source into one canonical OrderTable.

    The source is `source` (a code) or detected from the files' content; `items` are item
    files (Taobao's item reports), by default the ones that belong beside the order files.
    Raises InputError for a file that cannot be trusted."""
    inputs = as_list(paths)
    chosen = choose_source(inputs, source, templates_dir)
    if items is None:
        beside = [Path(item) for item in inputs if isinstance(item, str | Path)]
        item_inputs: list[OrderInput] = list(chosen.companions(beside))
    else:
        item_inputs = as_list(items)
    return chosen.read(inputs, item_inputs, progress)


def pair_key(path: Path) -> tuple[str, str] | None:
    """("orders" or "items", key) for a file a built-in source pairs by its name, else None
    (column-mapped files hold their items themselves)."""
    for factory in BUILTIN.values():
        key = factory(None).pair_key(path)
        if key is not None:
            return key
    return None


def _name(item: OrderInput) -> str:
    if isinstance(item, str | Path):
        return Path(item).name
    return Path(str(getattr(item, "name", "<stream>"))).name
