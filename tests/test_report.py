"""The HTML report: numbers from a real ledger and exception workbooks, escaping, offline-ness."""

from __future__ import annotations

from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import batch_ship.report as report_module
from batch_ship.errors import InputError
from batch_ship.ledger import Ledger, NewBatch
from batch_ship.report import (
    build_report,
    mask_address,
    mask_name,
    mask_phone,
    render_report,
    write_report,
)
from batch_ship.workspace import open_workspace

HOSTILE_NAME = '<script>alert("x")</script>'
HOSTILE_PROVINCE = "<img src=x onerror=alert(1)>"
BATCH = "20261126-01"


class Page(HTMLParser):
    """Collects tags, attributes, text by element id, and every text run."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.by_id: dict[str, str] = {}
        self.text: list[str] = []
        self._open_id: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self._open_id = attributes["id"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._open_id and data.strip():
            self.by_id.setdefault(self._open_id, data.strip())
            self._open_id = None


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def write_xlsx(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)


def make_workspace(home: Path) -> None:
    """One zto batch: 3 parcels (4 orders), 2 exception orders, 2 parcels tracked."""
    parcels = pd.DataFrame(
        {
            "seq": [1, 2, 3],
            "file": ["submission-zto.xlsx"] * 3,
            "file_row": [2, 3, 4],
            "reference": ["4012500868239927921", "4012500868239927922", "4012500868239927924"],
            "name": ["张三", "李四", "王五"],
            "phone": ["13925130165", "13800001111", "13800002222"],
            "order_ids": [
                "4012500868239927921",
                "4012500868239927922,4012500868239927923",
                "4012500868239927924",
            ],
            # The ledger's parcels per province (export passes the normalized province).
            "province": ["浙江省", "浙江省", HOSTILE_PROVINCE],
        }
    )
    orders = pd.DataFrame(
        {
            "order_id": [
                "4012500868239927921",
                "4012500868239927922",
                "4012500868239927923",
                "4012500868239927924",
            ],
            "seq": [1, 2, 2, 3],
        }
    )
    exceptions = pd.DataFrame(
        {
            "order_id": ["4012500868239927931", "4012500868239927932"],
            "codes": ["phone-masked,address-missing", "phone-masked"],
        }
    )
    header = ["订单编号", "收货人姓名", "联系手机", "收货地址 ", "异常代码", "异常说明"]
    first = ["4012500868239927931", HOSTILE_NAME, "138****5678", "", "phone-masked,address-missing"]
    second = [
        "4012500868239927932",
        "赵六",
        "13912345678",
        "北京 北京市 朝阳区 某路1号",
        "phone-masked",
    ]
    write_xlsx(home / "batches" / BATCH / "exceptions.xlsx", [header, [*first, ""], [*second, ""]])
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        with ledger.write():
            ledger.record_batch(
                NewBatch(
                    batch_id=BATCH,
                    courier="zto",
                    created=datetime(2026, 11, 26, 9, 30),
                    files=("submission-zto.xlsx", "exceptions.xlsx"),
                    parcels=parcels,
                    orders=orders,
                    exceptions=exceptions,
                )
            )
            ledger.log_event(
                "export", BATCH, {"orders_read": 6, "seconds": {"read": 1.0, "write": 0.25}}
            )
        ids = ledger.parcels(BATCH)["parcel_id"].tolist()
        with ledger.write():
            ledger.record_tracking(
                ids[:2], ["73123456789012", "73123456789013"], ["row 2", "row 3"]
            )
            ledger.log_event("import-tracking", BATCH, {"parcels_matched": 2, "seconds": 0.5})


def test_masks() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("138****5678") == "138****5678"
    assert mask_phone("0571-87654321") == "057*-****4321"
    assert mask_phone("") == ""
    assert mask_name("张三丰") == "张**"
    assert mask_name("张") == "*"
    assert mask_address("浙江省 杭州市 西湖区 文三路1号 (310013)") == "浙江省杭州市西湖区文三 …"
    assert mask_address("浙江杭州西湖区文三路1号") == "浙江杭州西湖区文三 …"


def test_report_numbers(home: Path) -> None:
    make_workspace(home)
    data = build_report(open_workspace(home))
    assert data.order_states == {"submitted": 1, "shipped": 3, "exception": 2}
    assert [(bar.label, bar.value) for bar in data.couriers] == [("zto", 3)]
    assert [(bar.label, bar.value) for bar in data.provinces] == [
        ("浙江省", 2),
        (HOSTILE_PROVINCE, 1),
    ]
    assert [(code, count) for code, count, _ in data.exception_codes] == [
        ("phone-masked", 2),
        ("address-missing", 1),
    ]
    assert [row.order_id for row in data.exception_rows] == [
        "4012500868239927931",
        "4012500868239927932",
    ]
    assert data.exception_rows[1].phone == "139****5678"
    assert data.exception_rows[1].row == 3
    coverage = data.coverage[0]
    assert (coverage.parcels, coverage.tracked, coverage.orders, coverage.shipped) == (3, 2, 4, 3)
    assert [(step.kind, step.seconds) for step in data.steps] == [
        ("export", 1.25),
        ("import-tracking", 0.5),
    ]


def test_rendered_page_content_escaping_and_offline(home: Path) -> None:
    make_workspace(home)
    html = render_report(build_report(open_workspace(home)))
    page = parse(html)
    assert page.by_id["orders-submitted"] == "1"
    assert page.by_id["orders-shipped"] == "3"
    assert page.by_id["orders-exception"] == "2"
    assert page.by_id["parcels-total"] == "3"
    text = " ".join(page.text)
    assert "66.7%" in text  # 2 of 3 parcels tracked
    assert "1.25" in text
    assert "read 1.00 s" in text  # export's own sub-steps
    # hostile buyer text is shown as text, never as markup
    assert not any(tag in ("script", "img", "iframe", "object") for tag, _ in page.tags)
    assert "&lt;***" in html  # masked, and its "<" escaped
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert HOSTILE_PROVINCE in text  # in the bar's tooltip; the label is shortened
    # names and phones are masked; whole phone numbers do not appear
    assert "13912345678" not in html
    assert "139****5678" in text
    assert "赵*" in text
    assert "某路1号" not in html
    # offline: no external reference of any kind
    for tag, attributes in page.tags:
        assert tag not in ("link", "script")
        for name in ("src", "href", "xlink:href"):
            assert attributes.get(name) is None, (tag, attributes)
    assert "http://" not in html
    assert "https://" not in html
    assert "url(" not in html
    assert "@import" not in html
    # the province chart is inline SVG with one bar per province
    rects = [attrs for tag, attrs in page.tags if tag == "rect"]
    assert len(rects) == 2
    assert int(rects[0]["width"] or 0) > int(rects[1]["width"] or 0) > 0


def test_batch_report_default_path_and_out(home: Path) -> None:
    make_workspace(home)
    workspace = open_workspace(home)
    path = write_report(workspace, BATCH)
    assert path == home / "batches" / BATCH / "report.html"
    page = parse(path.read_text(encoding="utf-8"))
    assert page.by_id["orders-exception"] == "2"
    assert BATCH in " ".join(page.text)
    out = write_report(workspace, None, home / "custom" / "r.html")
    assert out.exists()
    assert write_report(workspace) == home / "report.html"
    assert [p.name for p in (home / "custom").iterdir()] == ["r.html"]  # no temp file left


def test_fixed_exceptions_leave_the_report(home: Path) -> None:
    make_workspace(home)
    with Ledger.open(home / "ledger.sqlite3") as ledger, ledger.write():
        ledger.record_batch(
            NewBatch(
                batch_id="20261126-02",
                courier="sf",
                created=datetime(2026, 11, 26, 11, 0),
                files=("submission-sf.xlsx",),
                parcels=pd.DataFrame(
                    {
                        "seq": [1],
                        "file": ["submission-sf.xlsx"],
                        "file_row": [2],
                        "reference": ["4012500868239927932"],
                        "name": ["赵六"],
                        "phone": ["13912345678"],
                        "order_ids": ["4012500868239927932"],
                    }
                ),
                orders=pd.DataFrame({"order_id": ["4012500868239927932"], "seq": [1]}),
                exceptions=pd.DataFrame(
                    {"order_id": ["4012500868239927931"], "codes": ["phone-masked"]}
                ),
            )
        )
    # 931 was fed back still broken: it is in both batches' workbooks, shown once, the latest
    write_xlsx(
        home / "batches" / "20261126-02" / "exceptions.xlsx",
        [
            ["订单编号", "收货人姓名", "联系手机", "收货地址", "异常代码", "异常说明"],
            ["4012500868239927931", "钱七", "138****0000", "", "phone-masked", ""],
        ],
    )
    data = build_report(open_workspace(home))
    assert [(row.order_id, row.batch) for row in data.exception_rows] == [
        ("4012500868239927931", "20261126-02")
    ]
    assert data.order_states["exception"] == 1
    assert [(bar.label, bar.value) for bar in data.couriers] == [("zto", 3), ("sf", 1)]
    # the sf batch was recorded without provinces: its parcel is 未知, and a note says why
    assert [(bar.label, bar.value) for bar in data.provinces] == [
        ("浙江省", 2),
        (HOSTILE_PROVINCE, 1),
        ("未知", 1),
    ]
    assert any("1 parcel(s) have no recorded province" in note for note in data.notes)
    # a batch's report counts that batch's parcels only
    sf_only = build_report(open_workspace(home), "20261126-02")
    assert [(bar.label, bar.value) for bar in sf_only.provinces] == [("未知", 1)]
    zto_only = build_report(open_workspace(home), BATCH)
    assert [(bar.label, bar.value) for bar in zto_only.provinces] == [
        ("浙江省", 2),
        (HOSTILE_PROVINCE, 1),
    ]
    assert not any("province" in note for note in zto_only.notes)


def test_provinces_come_from_the_ledger_not_the_workbooks(home: Path) -> None:
    make_workspace(home)
    # a submission workbook that is corrupt (or gone) does not matter to the report
    (home / "batches" / BATCH / "submission-zto.xlsx").write_bytes(b"PK\x03\x04 not really")
    data = build_report(open_workspace(home))
    assert [(bar.label, bar.value) for bar in data.provinces] == [
        ("浙江省", 2),
        (HOSTILE_PROVINCE, 1),
    ]
    assert data.notes == ()


def test_unknown_batch_and_empty_workspace(home: Path) -> None:
    with pytest.raises(InputError, match="no batch 20261126-09"):
        build_report(open_workspace(home), "20261126-09")
    page = parse(render_report(build_report(open_workspace(home))))
    assert page.by_id["orders-submitted"] == "0"
    assert not (home / "ledger.sqlite3").exists()  # looking never creates a ledger
    make_workspace(home)
    with pytest.raises(InputError, match="latest: 20261126-01"):
        build_report(open_workspace(home), "20261126-09")


def test_a_corrupt_workbook_is_an_input_error(home: Path) -> None:
    make_workspace(home)
    (home / "batches" / BATCH / "exceptions.xlsx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(InputError, match=r"exceptions\.xlsx"):
        build_report(open_workspace(home))


def test_long_histories_are_capped(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_workspace(home)
    monkeypatch.setattr(report_module, "MAX_STEPS", 1)
    monkeypatch.setattr(report_module, "MAX_EXCEPTION_ROWS", 1)
    data = build_report(open_workspace(home))
    assert [step.kind for step in data.steps] == ["import-tracking"]  # the most recent
    assert len(data.exception_rows) == 1
    assert data.exception_total == 2
    assert "showing the last 1 of 2 logged steps" in data.notes
    assert any("first 1 of 2 exception orders" in note for note in data.notes)


def test_open_exceptions_come_from_the_ledger_not_the_workbook(home: Path) -> None:
    make_workspace(home)
    # a person edited the workbook: 931's codes cell and 932's whole row are gone
    write_xlsx(
        home / "batches" / BATCH / "exceptions.xlsx",
        [
            ["订单编号", "收货人姓名", "联系手机", "收货地址", "异常代码", "异常说明"],
            ["4012500868239927931", "钱七", "138****0000", "", "", ""],
        ],
    )
    data = build_report(open_workspace(home), BATCH)
    assert [(row.order_id, row.codes, row.row) for row in data.exception_rows] == [
        ("4012500868239927931", ("phone-masked", "address-missing"), 2),
        ("4012500868239927932", ("phone-masked",), 0),  # the ledger still holds it open
    ]
    assert data.exception_rows[0].name == "钱*"
    assert data.exception_rows[1].name == ""
    assert data.order_states["exception"] == 2
    assert [(code, count) for code, count, _ in data.exception_codes] == [
        ("phone-masked", 2),
        ("address-missing", 1),
    ]


def test_a_batch_without_open_exceptions_is_not_read(home: Path) -> None:
    make_workspace(home)
    with Ledger.open(home / "ledger.sqlite3") as ledger, ledger.write():
        ledger.record_batch(
            NewBatch(
                batch_id="20261126-02",
                courier="sf",
                created=datetime(2026, 11, 26, 11, 0),
                files=("submission-sf.xlsx",),
                parcels=pd.DataFrame(
                    {
                        "seq": [1],
                        "file": ["submission-sf.xlsx"],
                        "file_row": [2],
                        "reference": ["4012500868239927931"],
                        "name": ["钱七"],
                        "phone": ["13812340000"],
                        "order_ids": ["4012500868239927931,4012500868239927932"],
                    }
                ),
                orders=pd.DataFrame(
                    {"order_id": ["4012500868239927931", "4012500868239927932"], "seq": [1, 1]}
                ),
                exceptions=pd.DataFrame({"order_id": [], "codes": []}, dtype="str"),
            )
        )
    # both exceptions were fixed in the second batch: the first's workbook no longer matters
    (home / "batches" / BATCH / "exceptions.xlsx").write_bytes(b"PK\x03\x04 not really")
    data = build_report(open_workspace(home))
    assert data.exception_rows == ()
    assert data.order_states["exception"] == 0
