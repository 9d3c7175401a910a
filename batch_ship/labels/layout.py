"""Label layouts (templates/labels/*.toml): page size and each field's box, checked at load."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from batch_ship.errors import ConfigError
from batch_ship.i18n import _
from batch_ship.labels.rows import BARCODE_FIELDS, LABEL_FIELDS
from batch_ship.template_dirs import builtin_templates
from batch_ship.toml_keys import read_toml, refuse_unknown_keys, text_value

LABELS_DIR = "labels"
QUIET_MODULES = 10  # Code128 needs 10 narrow bars of blank space left and right (ISO 15417)
MIN_MODULE_MM = 0.19  # narrower bars than this do not scan from a 203 dpi print
DEFAULT_LABELS_PER_FILE = 1000
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_TOP_KEYS = {"name", "page", "tear", "dpi", "zpl_font", "tspl_font", "lines", "fields"}
_FIELD_KEYS = {"field", "box", "size", "min_size", "align", "prefix", "text", "barcode", "module"}
_ALIGNS = ("left", "center", "right")
_LABEL_KEYS = {"layout", "labels_per_file", "font", "font_index"}


@dataclass(frozen=True)
class Box:
    """A rectangle in millimetres, measured from the page's top-left corner (as a ruler on
    the printed label reads it)."""

    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.x + other.w
            and other.x < self.x + self.w
            and self.y < other.y + other.h
            and other.y < self.y + self.h
        )

    def inside(self, width: float, height: float) -> bool:
        return min(self.x, self.y) >= 0 and self.x + self.w <= width and self.y + self.h <= height


@dataclass(frozen=True)
class Field:
    """One thing drawn on the label: a row field (or fixed `text`) in a box, at a font size
    in points that shrinks down to `min_size` to fit; or a Code128 barcode of the field with
    narrow bars `module` mm wide."""

    field: str
    box: Box
    size: float = 9.0
    min_size: float = 5.0
    align: str = "left"
    prefix: str = ""
    text: str = ""
    barcode: bool = False
    module: float = 0.33

    @property
    def quiet_zone(self) -> Box:
        """The barcode's box widened by its quiet zone on both sides."""
        pad = QUIET_MODULES * self.module
        return Box(self.box.x - pad, self.box.y, self.box.w + 2 * pad, self.box.h)


@dataclass(frozen=True)
class Layout:
    """A label layout: page size in mm, the tear line of a two-part label (mm from the
    top; 0 for one part), printer resolution for ZPL/TSPL, the printers' own font names."""

    name: str
    width: float
    height: float
    fields: tuple[Field, ...]
    lines: tuple[tuple[float, float, float, float], ...] = ()
    tear: float = 0.0
    dpi: int = 203
    zpl_font: str = "E:SIMSUN.TTF"
    tspl_font: str = "SIMSUN.TTF"
    path: Path | None = None

    @property
    def parts(self) -> int:
        return 2 if self.tear else 1


@dataclass(frozen=True)
class LabelSettings:
    """A courier template's [label] section: which layout, how many labels per file, and
    the TrueType font to embed (None: the bundled WenQuanYi Micro Hei; `font_index` picks a
    font in a .ttc collection)."""

    layout: Layout
    labels_per_file: int = DEFAULT_LABELS_PER_FILE
    font: Path | None = None
    font_index: int = 0


def builtin_dir() -> Path:
    """The built-in templates/labels folder."""
    return builtin_templates() / LABELS_DIR


def label_settings(raw: Any, template: Path) -> LabelSettings:
    """Parse a courier template's [label] section; its layout is looked up beside the
    template's own folder (`<templates>/labels/NAME.toml`), then among the built-ins."""
    if not isinstance(raw, dict):
        raise ConfigError(_("[label] must be a table"), path=template)
    refuse_unknown_keys(raw, _LABEL_KEYS, "[label]", template)
    name = raw.get("layout")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ConfigError(
            _("[label] layout must name a layout file"),
            path=template,
            hint=_('e.g. layout = "76x130"'),
        )
    per_file = raw.get("labels_per_file", DEFAULT_LABELS_PER_FILE)
    if isinstance(per_file, bool) or not isinstance(per_file, int) or not 1 <= per_file <= 100_000:
        raise ConfigError(
            _("[label] labels_per_file must be a whole number 1-100000"), path=template
        )
    font, index = _font(raw, template)
    return LabelSettings(
        layout=load_layout(find_layout(name, template)),
        labels_per_file=per_file,
        font=font,
        font_index=index,
    )


def _font(raw: dict[str, Any], template: Path) -> tuple[Path | None, int]:
    """[label] font: a path, relative to the template's folder unless absolute; it must
    exist (checked now, so a typo is found when the template loads, not mid-print)."""
    value, index = raw.get("font"), raw.get("font_index", 0)
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ConfigError(_("[label] font_index must be a whole number from 0"), path=template)
    if value is None:
        return None, index
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(_("[label] font must be the path of a font file"), path=template)
    path = Path(value).expanduser()
    path = path if path.is_absolute() else template.parent / path
    if not path.is_file():
        raise ConfigError(
            _("[label] font {value} does not exist ({path})").format(value=repr(value), path=path),
            path=template,
            hint=_(
                "give the path of a TrueType font (.ttf, or .ttc with font_index), or remove "
                "the line to use the bundled WenQuanYi Micro Hei"
            ),
        )
    return path, index


def find_layout(name: str, template: Path | None = None) -> Path:
    """The layout file called `name`: `<templates>/labels/` beside the courier template's
    folder first, so an edited copy wins, then the built-in one."""
    folders = [template.parent.parent / LABELS_DIR] if template is not None else []
    folders.append(builtin_dir())
    for folder in folders:
        candidate = folder / f"{name}.toml"
        if candidate.is_file():
            return candidate
    known = sorted(path.stem for path in builtin_dir().glob("*.toml"))
    raise ConfigError(
        _("no label layout {name!r}").format(name=name),
        path=template,
        hint=_("use one of: {value}, or add labels/{name}.toml to the templates folder").format(
            value=", ".join(known), name=name
        ),
    )


def load_layout(path: Path) -> Layout:
    """Parse and check one layout file; a problem is a ConfigError naming the file and field."""
    data = read_toml(path)
    return layout_from(data, path)


def layout_from(data: dict[str, Any], path: Path) -> Layout:
    """A Layout from parsed TOML, every box checked against the page and the quiet zones."""
    refuse_unknown_keys(data, _TOP_KEYS, _("the layout"), path)
    width, height = _numbers(data.get("page"), 2, "page", path)
    if not (10 <= width <= 300 and 10 <= height <= 600):
        raise ConfigError(_("page must be [width, height] in mm, 10-300 x 10-600"), path=path)
    tear = _number(data.get("tear", 0), "tear", path)
    if tear and not 0 < tear < height:
        raise ConfigError(
            _("tear must be between 0 and the page height {height:g} mm").format(height=height),
            path=path,
        )
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise ConfigError(
            _("no fields"), path=path, hint=_("add [[fields]] tables with field and box")
        )
    dpi = int(_number(data.get("dpi", 203), "dpi", path))
    if not 100 <= dpi <= 600:
        raise ConfigError(_("dpi must be 100-600 (thermal printers: 203 or 300)"), path=path)
    fields = tuple(
        _on_dots(_field(entry, number, path), dpi) for number, entry in enumerate(raw_fields, 1)
    )
    lines = tuple(
        _numbers(line, 4, f"lines[{n}]", path) for n, line in enumerate(data.get("lines", []), 1)
    )
    layout = Layout(
        name=text_value(data, "name", path) or path.stem,
        width=width,
        height=height,
        fields=fields,
        lines=lines,  # type: ignore[arg-type]  # _numbers(…, 4) gives four
        tear=tear,
        dpi=dpi,
        zpl_font=text_value(data, "zpl_font", path) or "E:SIMSUN.TTF",
        tspl_font=text_value(data, "tspl_font", path) or "SIMSUN.TTF",
        path=path,
    )
    check_layout(layout)
    return layout


def check_layout(layout: Layout) -> None:
    """Refuse boxes that leave the page, cross the tear, or reach into a barcode's quiet zone."""
    page = _("{width:g}x{height:g} mm page").format(width=layout.width, height=layout.height)
    for field in layout.fields:
        where = _where(field)
        if not field.box.inside(layout.width, layout.height):
            raise ConfigError(
                _("{where}: its box leaves the {page}").format(where=where, page=page),
                path=layout.path,
            )
        top, bottom = field.box.y, field.box.y + field.box.h
        if layout.tear and top < layout.tear < bottom:
            raise ConfigError(
                _("{where}: its box crosses the tear line at {tear:g} mm").format(
                    where=where, tear=layout.tear
                ),
                path=layout.path,
            )
        if field.barcode and not field.quiet_zone.inside(layout.width, layout.height):
            raise ConfigError(
                _(
                    "{where}: the barcode's quiet zone ({QUIET_MODULES} modules of "
                    "{module:g} mm each side) leaves the {page}"
                ).format(where=where, QUIET_MODULES=QUIET_MODULES, module=field.module, page=page),
                path=layout.path,
                hint=_("move the box inwards or make it narrower"),
            )
    for barcode in (field for field in layout.fields if field.barcode):
        for other in layout.fields:
            if other is not barcode and other.box.overlaps(barcode.quiet_zone):
                raise ConfigError(
                    _("{value}: its box overlaps the quiet zone of {value2}").format(
                        value=_where(other), value2=_where(barcode)
                    ),
                    path=layout.path,
                    hint=_(
                        "keep {value:g} mm clear left and right of the barcode's box, and its "
                        "box itself"
                    ).format(value=QUIET_MODULES * barcode.module),
                )
    waybills = [f for f in layout.fields if f.barcode and f.field == "waybill"]
    if len(waybills) != 1:
        raise ConfigError(
            _("a label needs exactly one waybill barcode"),
            path=layout.path,
            hint=_('add [[fields]] with field = "waybill" and barcode = true'),
        )


def _field(entry: Any, number: int, path: Path) -> Field:
    if not isinstance(entry, dict):
        raise ConfigError(_("field {number} must be a table").format(number=number), path=path)
    name = entry.get("field")
    if name != "text" and name not in LABEL_FIELDS:
        raise ConfigError(
            _("field {number}: unknown field {name!r}").format(number=number, name=name),
            path=path,
            hint=_("use text or one of: {value}").format(value=", ".join(LABEL_FIELDS)),
        )
    where = f"field {number} ({name})"
    refuse_unknown_keys(entry, _FIELD_KEYS, where, path)
    x, y, w, h = _numbers(entry.get("box"), 4, f"{where} box", path)
    if w <= 0 or h <= 0:
        raise ConfigError(
            _("{where}: box width and height must be above 0").format(where=where), path=path
        )
    size = _number(entry.get("size", 9.0), f"{where} size", path)
    min_size = _number(entry.get("min_size", min(size, 5.0)), f"{where} min_size", path)
    if not 3 <= min_size <= size <= 96:
        raise ConfigError(
            _("{where}: need 3 <= min_size <= size <= 96 (points)").format(where=where), path=path
        )
    align = entry.get("align", "left")
    if align not in _ALIGNS:
        raise ConfigError(
            _("{where}: align must be one of {value}").format(
                where=where, value=", ".join(_ALIGNS)
            ),
            path=path,
        )
    barcode = entry.get("barcode", False)
    if not isinstance(barcode, bool) or (barcode and name not in BARCODE_FIELDS):
        raise ConfigError(
            _("{where}: barcode = true only for {value}").format(
                where=where, value=" and ".join(BARCODE_FIELDS)
            ),
            path=path,
        )
    module = _number(entry.get("module", 0.33), f"{where} module", path)
    if not MIN_MODULE_MM <= module <= 1.0:
        raise ConfigError(
            _("{where}: module must be {MIN_MODULE_MM}-1.0 mm").format(
                where=where, MIN_MODULE_MM=MIN_MODULE_MM
            ),
            path=path,
        )
    return Field(
        field=str(name),
        box=Box(x, y, w, h),
        size=size,
        min_size=min_size,
        align=str(align),
        prefix=text_value(entry, "prefix", path),
        text=text_value(entry, "text", path),
        barcode=barcode,
        module=module,
    )


def _on_dots(field: Field, dpi: int) -> Field:
    """A barcode's module rounded to whole printer dots, as it is printed (and so the quiet
    zone checked is the one printed)."""
    if not field.barcode:
        return field
    dot = 25.4 / dpi
    return replace(field, module=max(1, round(field.module / dot)) * dot)


def _where(field: Field) -> str:
    if field.barcode:
        return _("field {name} (barcode)").format(name=repr(field.field))
    return _("field {name}").format(name=repr(field.field))


def _numbers(value: Any, count: int, where: str, path: Path) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != count:
        raise ConfigError(
            _("{where} must be a list of {count} numbers (mm)").format(where=where, count=count),
            path=path,
        )
    return tuple(_number(item, where, path) for item in value)


def _number(value: Any, where: str, path: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(_("{where} must be a number").format(where=where), path=path)
    return float(value)
