"""Marketplace upload files (templates/marketplaces/*.toml): orders shipped, by whom, with what."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from batch_ship.columns import arrow_text
from batch_ship.errors import ConfigError, InputError
from batch_ship.i18n import _
from batch_ship.template_dirs import builtin_templates
from batch_ship.toml_keys import read_toml

# The closed set of values a marketplace column can take; templates are user-editable data, so
# they pick from this list rather than run code.
FIELDS = (
    "order_id",
    "carrier_name",
    "carrier_code",
    "tracking",
    "ship_date",
    "ship_method",
    "empty",
    "text",
)

# Upload files hold only ids, courier names and tracking numbers. Ids and numbers are checked
# against this before writing, so nothing a spreadsheet could evaluate (=, +, @) gets through.
_SAFE_TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-]*")


@dataclass(frozen=True)
class Carrier:
    """How one marketplace names one courier."""

    code: str = ""
    name: str = ""


@dataclass(frozen=True)
class UploadColumn:
    header: str
    field: str
    text: str = ""


@dataclass(frozen=True)
class Marketplace:
    code: str  # the TOML file name: taobao, amazon
    name: str
    file_name: str
    encoding: str = "gb18030"
    delimiter: str = ","
    line_terminator: str = "\r\n"
    ship_method: str = ""
    columns: tuple[UploadColumn, ...] = ()
    carriers: Mapping[str, Carrier] = field(default_factory=dict)

    def carrier(
        self, courier_code: str, courier_name: str, own_names: Mapping[str, str]
    ) -> Carrier:
        """The courier as this marketplace spells it: the courier template's own entry wins,
        then this template's table, then the courier's display name."""
        listed = self.carriers.get(courier_code, Carrier())
        name = own_names.get(self.code) or listed.name or courier_name
        return Carrier(code=listed.code or name, name=name)


def _template_dirs(templates_dir: Path | None) -> list[Path]:
    dirs = [templates_dir / "marketplaces"] if templates_dir is not None else []
    return [*dirs, builtin_templates() / "marketplaces"]


def available_marketplaces(templates_dir: Path | None = None) -> list[str]:
    """Marketplace codes: the workspace's templates first, then the built-in ones."""
    codes: set[str] = set()
    for folder in _template_dirs(templates_dir):
        if folder.is_dir():
            codes.update(path.stem for path in folder.glob("*.toml"))
    return sorted(codes)


def load_marketplace(code: str, templates_dir: Path | None = None) -> Marketplace:
    """The marketplace template `code` (workspace override first); ConfigError when unknown."""
    if not re.fullmatch(r"[a-z0-9_\-]+", code):
        raise ConfigError(
            _("unknown marketplace {code!r}").format(code=code),
            hint=_("use one of {value}").format(
                value=", ".join(available_marketplaces(templates_dir))
            ),
        )
    for folder in _template_dirs(templates_dir):
        path = folder / f"{code}.toml"
        if path.is_file():
            return _parse_marketplace(code, path)
    raise ConfigError(
        _("unknown marketplace {code!r}").format(code=code),
        hint=_(
            "use one of {value}, or add marketplaces/{code}.toml to your templates folder"
        ).format(value=", ".join(available_marketplaces(templates_dir)), code=code),
    )


def _parse_marketplace(code: str, path: Path) -> Marketplace:
    data = read_toml(path)
    columns = tuple(_parse_column(entry, path) for entry in _list(data.get("columns"), path))
    if not columns:
        raise ConfigError(_("no columns"), path=path, hint=_("add a `columns = [...]` list"))
    encoding = str(data.get("encoding", "gb18030"))
    try:
        "".encode(encoding)
    except LookupError as error:
        raise ConfigError(
            _("unknown encoding {encoding!r}").format(encoding=encoding), path=path
        ) from error
    delimiter = str(data.get("delimiter", ","))
    if len(delimiter) != 1:
        raise ConfigError(_("delimiter must be one character"), path=path)
    carriers_data = data.get("carriers", {})
    if not isinstance(carriers_data, dict):
        raise ConfigError(_("[carriers] must be a table"), path=path)
    carriers = {
        str(key): Carrier(code=str(value.get("code", "")), name=str(value.get("name", "")))
        for key, value in carriers_data.items()
        if isinstance(value, dict)
    }
    return Marketplace(
        code=code,
        name=str(data.get("name", code)),
        file_name=_file_name(str(data.get("file", f"upload-{code}.csv")), path),
        encoding=encoding,
        delimiter=delimiter,
        line_terminator=str(data.get("line_terminator", "\r\n")),
        ship_method=str(data.get("ship_method", "")),
        columns=columns,
        carriers=carriers,
    )


def _list(value: Any, path: Path) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(_("`columns` must be a list of tables"), path=path)
    return value


def _parse_column(entry: Any, path: Path) -> UploadColumn:
    if not isinstance(entry, dict) or "header" not in entry or "field" not in entry:
        raise ConfigError(_("each column needs `header` and `field`"), path=path)
    field_name = str(entry["field"])
    if field_name not in FIELDS:
        raise ConfigError(
            _("unknown field {field_name!r} for column {value!r}").format(
                field_name=field_name, value=entry["header"]
            ),
            path=path,
            hint=_("use one of {value}").format(value=", ".join(FIELDS)),
        )
    return UploadColumn(
        header=str(entry["header"]), field=field_name, text=str(entry.get("text", ""))
    )


def _file_name(name: str, path: Path) -> str:
    # The name lands inside batches/<id>/: no folders, no hidden files.
    if not re.fullmatch(r"[\w\-][\w.\-]*", name):
        raise ConfigError(
            _("`file = {name!r}` must be a plain file name").format(name=name), path=path
        )
    return name


def upload_frame(marketplace: Marketplace, shipped: pd.DataFrame, carrier: Carrier) -> pd.DataFrame:
    """The upload's rows (string columns named by the template's headers) from the ledger's
    `shipped_rows` frame (order_id, parcel_id, tracking, shipped_at)."""
    for name, label in (("order_id", "order id"), ("tracking", "tracking number")):
        texts = shipped[name].astype("str")
        bad = ~texts.str.fullmatch(_SAFE_TOKEN.pattern)
        if bad.any():
            raise InputError(
                _("refusing to write {label} {value!r} into {file_name}").format(
                    label=label, value=texts[bad].iloc[0], file_name=marketplace.file_name
                ),
                hint=_("only digits, letters and hyphens belong in an upload file"),
            )
    count = len(shipped)
    ship_dates = shipped["shipped_at"].astype("str").str.slice(0, 10)
    values: dict[str, pd.Series] = {
        "order_id": shipped["order_id"].astype("str"),
        "tracking": shipped["tracking"].astype("str"),
        "ship_date": ship_dates,
    }
    constants = {
        "carrier_name": carrier.name,
        "carrier_code": carrier.code,
        "ship_method": marketplace.ship_method,
        "empty": "",
    }
    frame = pd.DataFrame(index=range(count))
    for column in marketplace.columns:
        if column.field in values:
            frame[column.header] = values[column.field].to_numpy()
        else:
            constant = column.text if column.field == "text" else constants[column.field]
            frame[column.header] = pd.Series([constant] * count, dtype="str")
    return frame


def render_upload(marketplace: Marketplace, frame: pd.DataFrame) -> bytes:
    """The upload file's bytes in the template's encoding and delimiter."""
    text = _csv_text(marketplace, [list(frame.columns)])
    try:
        # The rows through Arrow's C++ writer (8x the csv module): ids, numbers, dates and
        # carrier names need no quoting, and it refuses any value that would.
        body = io.BytesIO()
        table = pa.table(
            {str(index): arrow_text(frame[column]) for index, column in enumerate(frame.columns)}
        )
        options = pcsv.WriteOptions(
            include_header=False,
            delimiter=marketplace.delimiter,
            quoting_style="none",
            eol=marketplace.line_terminator,
        )
        pcsv.write_csv(table, body, options)
        text += body.getvalue().decode("utf-8")
    except pa.ArrowInvalid:  # a value holding the delimiter or a quote: the csv module quotes it
        rows = zip(*(frame[column].tolist() for column in frame.columns), strict=True)
        text += _csv_text(marketplace, rows)
    try:
        return text.encode(marketplace.encoding)
    except UnicodeEncodeError as error:
        raise ConfigError(
            _("{value!r} cannot be written in {encoding}").format(
                value=error.object[error.start : error.end], encoding=marketplace.encoding
            ),
            hint=_("change `encoding` in marketplaces/{code}.toml").format(code=marketplace.code),
        ) from error


def _csv_text(marketplace: Marketplace, rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=marketplace.delimiter, lineterminator=marketplace.line_terminator
    )
    writer.writerows(rows)
    return buffer.getvalue()
