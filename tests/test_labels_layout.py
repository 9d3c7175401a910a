"""Label layouts: the built-ins load, and a bad box is refused at load naming field and file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from batch_ship.couriers import get_courier, load_couriers
from batch_ship.errors import ConfigError
from batch_ship.labels.layout import builtin_dir, load_layout

SIZES = {"76x130": (76, 130, 1), "100x180": (100, 180, 2), "100x150": (100, 150, 2)}


@pytest.mark.parametrize("name", sorted(SIZES))
def test_the_builtin_layouts_load(name: str) -> None:
    layout = load_layout(builtin_dir() / f"{name}.toml")
    assert (layout.width, layout.height, layout.parts) == SIZES[name]
    barcodes = [f.field for f in layout.fields if f.barcode]
    assert barcodes == (["waybill", "reference"] if layout.parts == 2 else ["waybill"])


def test_every_courier_template_names_a_layout() -> None:
    couriers = load_couriers()
    assert {code: c.label is not None for code, c in couriers.items()} == dict.fromkeys(
        couriers, True
    )
    assert couriers["zto"].label is not None
    assert couriers["zto"].label.layout.name.startswith("76x130")
    assert couriers["ems"].label is not None
    assert couriers["ems"].label.layout.parts == 2


def _edited(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (builtin_dir() / f"{name}.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / f"{name}.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_box_leaving_the_page_is_refused_naming_the_field_and_file(tmp_path: Path) -> None:
    path = _edited(tmp_path, "76x130", "box = [2, 59.5, 72, 16]", "box = [2, 59.5, 80, 16]")
    with pytest.raises(ConfigError) as caught:
        load_layout(path)
    assert str(caught.value) == (
        "76x130.toml: field 'recipient_address': its box leaves the 76x130 mm page"
    )


def test_a_box_in_the_barcodes_quiet_zone_is_refused(tmp_path: Path) -> None:
    # The waybill barcode spans x 10-66 mm, y 31-44 mm; 10 modules (3.75 mm) each side are
    # its quiet zone. A sort code box reaching down to y 32 at the right edge overlaps it.
    path = _edited(tmp_path, "76x130", "box = [2, 11, 72, 11]", "box = [67, 11, 7, 21]")
    with pytest.raises(ConfigError) as caught:
        load_layout(path)
    message = str(caught.value)
    assert message.startswith(
        "76x130.toml: field 'sort_code': its box overlaps the quiet zone of field "
        "'waybill' (barcode)"
    )
    assert "Fix: keep 3.75" in message


def test_a_quiet_zone_off_the_page_is_refused(tmp_path: Path) -> None:
    path = _edited(tmp_path, "76x130", "box = [10, 31, 56, 13]", "box = [1, 31, 56, 13]")
    with pytest.raises(ConfigError, match=r"field 'waybill' \(barcode\): the barcode's quiet "):
        load_layout(path)


def test_a_box_across_the_tear_line_is_refused(tmp_path: Path) -> None:
    path = _edited(tmp_path, "100x180", "box = [3, 99, 74, 20]", "box = [3, 99, 74, 25]")
    with pytest.raises(ConfigError, match="field 'items': its box crosses the tear line at 120"):
        load_layout(path)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('field = "hub"', 'field = "hubb"', "field 4: unknown field 'hubb'"),
        ("size = 26", "size = 200", r"field 3 \(sort_code\): need 3 <= min_size"),
        ('align = "center"', 'align = "middle"', "align must be one of"),
        ("module = 0.375", "module = 0.1", "module must be 0.19-1.0 mm"),
        ("field = \"waybill\"\nbarcode = true", "field = \"waybill\"\nbarcode = false",
         "exactly one waybill barcode"),
        ('field = "hub"', 'field = "hub"\nbarcode = true', "barcode = true only for"),
        ('field = "hub"', 'field = "hub"\ncolour = "red"', "unknown keys in field 4"),
        ("page = [76, 130]", "page = [76]", "page must be a list of 2 numbers"),
    ],
)  # fmt: skip
def test_layout_mistakes_are_refused_with_the_file_named(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = _edited(tmp_path, "76x130", old, new)
    with pytest.raises(ConfigError, match=message) as caught:
        load_layout(path)
    assert caught.value.path == path


def _templates(tmp_path: Path, courier_label: str) -> Path:
    """A templates folder with an edited zto.toml whose [label] section is `courier_label`."""
    source = (get_courier("zto").path or Path()).read_text(encoding="utf-8")
    section = re.search(r"\[label\]\n(?:[^\[\n].*\n)*", source)
    assert section is not None
    folder = tmp_path / "templates"
    (folder / "couriers").mkdir(parents=True)
    edited = source.replace(section.group(0), "[label]\n" + courier_label + "\n")
    (folder / "couriers" / "zto.toml").write_text(edited, encoding="utf-8")
    return folder


def test_a_courier_template_with_a_broken_layout_fails_to_load(tmp_path: Path) -> None:
    folder = _templates(tmp_path, 'layout = "76x130"')
    (folder / "labels").mkdir()
    _edited(folder / "labels", "76x130", "box = [2, 53, 40, 6]", "box = [2, 53, 40, 90]")
    with pytest.raises(ConfigError) as caught:
        get_courier("zto", folder)
    assert caught.value.path == folder / "labels" / "76x130.toml"
    assert "field 'recipient_name'" in str(caught.value)


def test_an_edited_layout_in_the_templates_folder_wins(tmp_path: Path) -> None:
    folder = _templates(tmp_path, 'layout = "76x130"\nlabels_per_file = 250')
    (folder / "labels").mkdir()
    _edited(folder / "labels", "76x130", 'prefix = "收 "', 'prefix = "收件人 "')
    courier = get_courier("zto", folder)
    assert courier.label is not None
    assert courier.label.labels_per_file == 250
    assert courier.label.layout.path == folder / "labels" / "76x130.toml"
    assert any(f.prefix == "收件人 " for f in courier.label.layout.fields)


def test_an_unknown_layout_name_lists_the_known_ones(tmp_path: Path) -> None:
    folder = _templates(tmp_path, 'layout = "90x90"')
    with pytest.raises(ConfigError) as caught:
        get_courier("zto", folder)
    assert "no label layout '90x90'" in str(caught.value)
    assert "100x150, 100x180, 76x130" in str(caught.value)
    assert caught.value.path == folder / "couriers" / "zto.toml"


def test_the_label_font_is_configurable_and_must_exist(tmp_path: Path) -> None:
    folder = _templates(tmp_path, 'layout = "76x130"\nfont = "fonts/shop.ttc"\nfont_index = 0')
    with pytest.raises(ConfigError) as caught:
        get_courier("zto", folder)
    assert "[label] font 'fonts/shop.ttc' does not exist" in str(caught.value)
    assert "Fix: give the path of a TrueType font" in str(caught.value)
    assert caught.value.path == folder / "couriers" / "zto.toml"
    (folder / "couriers" / "fonts").mkdir()
    (folder / "couriers" / "fonts" / "shop.ttc").write_bytes(b"not read at load")
    courier = get_courier("zto", folder)
    assert courier.label is not None
    assert courier.label.font == folder / "couriers" / "fonts" / "shop.ttc"
    assert get_courier("zto").label is not None
    assert get_courier("zto").label.font is None  # type: ignore[union-attr]
