"""Floors: the same reads and writes as export and import-tracking, with no processing.

Each also says when its reads and main output were done (`main_seconds`: the submission
workbooks; the upload CSV), before the workbooks only people read (exceptions.xlsx,
reconcile.xlsx)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

# Imported here, before any timer starts: the measured steps' imports are not timed either.
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv
import rustpy_xlsxwriter
from python_calamine import CalamineWorkbook  # also pandas' engine, imported lazily otherwise


def export_floor(orders: str, items: str, shapes: str, out: str) -> dict[str, Any]:
    """The same reads, and workbooks of the export's shapes (`shapes`: JSON from
    `workbook_shapes`) filled with the order report's cells, with no processing."""
    Path(out).mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    order_frame = read_csv_floor(orders).fillna("")
    item_frame = read_csv_floor(items)
    workbooks = json.loads(shapes)
    _write_shaped(order_frame, workbooks, Path(out), main=True)
    main_done = time.perf_counter()
    _write_shaped(order_frame, workbooks, Path(out), main=False)
    return {
        "seconds": time.perf_counter() - started,
        "main_seconds": main_done - started,
        "items_read": len(item_frame),
    }


def read_csv_floor(path: str) -> Any:
    """The fastest text-only read: pandas' pyarrow engine, or pyarrow itself with
    newlines_in_values when a buyer message spans lines (the pandas engine refuses those)."""
    try:
        return pd.read_csv(path, engine="pyarrow", dtype=str, encoding="gb18030")
    except pd.errors.ParserError:
        read = pv.ReadOptions(encoding="gb18030")
        parse = pv.ParseOptions(newlines_in_values=True)
        header = pv.open_csv(path, read_options=read, parse_options=parse).schema.names
        text = pv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()))
        table = pv.read_csv(path, read_options=read, parse_options=parse, convert_options=text)
        return table.to_pandas()


def import_floor(path: str, rows: str, shapes: str, out: str) -> dict[str, Any]:
    """Read the courier return, write an upload CSV of the same shape and workbooks of the
    import's shapes (reconcile.xlsx) filled with the return's cells, with no matching."""
    Path(out).mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    frame = pd.read_excel(path, engine="calamine", dtype=str, header=None)
    count = int(rows)
    ids = frame.iloc[:, 0].fillna("")
    numbers = frame.iloc[:, -1].fillna("")
    repeat = -(-count // max(len(frame), 1))
    upload = pd.DataFrame(
        {
            "订单编号": pd.concat([ids] * repeat, ignore_index=True)[:count],
            "物流公司": "中通快递",
            "运单号": pd.concat([numbers] * repeat, ignore_index=True)[:count],
        }
    )
    upload.to_csv(Path(out) / "upload.csv", index=False, encoding="gb18030")
    main_done = time.perf_counter()
    _write_shaped(frame.fillna(""), json.loads(shapes), Path(out), main=False)
    return {
        "seconds": time.perf_counter() - started,
        "main_seconds": main_done - started,
        "rows": count,
    }


def _write_shaped(
    source: pd.DataFrame, shapes: list[dict[str, Any]], out: Path, *, main: bool
) -> None:
    """Write the workbooks of `shapes` whose "main" flag is `main`, each sheet cut from
    `source` (rows and columns reused in turn when it is smaller)."""
    for workbook in shapes:
        if workbook["main"] != main:
            continue
        entries: list[tuple[str, Any]] = []
        for sheet, rows, columns in workbook["sheets"]:
            picked = source.iloc[
                np.resize(np.arange(len(source)), rows),
                np.resize(np.arange(source.shape[1]), columns),
            ]
            picked.columns = [f"c{index}" for index in range(columns)]
            entries.append((sheet, picked.reset_index(drop=True)))
        rustpy_xlsxwriter.write_worksheets(entries, str(out / workbook["name"]))


def workbook_shapes(folder: Path) -> list[dict[str, Any]]:
    """Each workbook in `folder`: its name, whether it is a main output (the submission) and
    its sheets' (name, data rows, columns): what the floors write."""
    shapes = []
    for path in sorted(folder.glob("*.xlsx")):
        book = CalamineWorkbook.from_path(str(path))
        sheets = []
        for name in book.sheet_names:
            table = book.get_sheet_by_name(name).to_python()
            sheets.append((name, max(len(table) - 1, 0), len(table[0]) if table else 0))
        shapes.append(
            {"name": path.name, "main": path.name.startswith("submission"), "sheets": sheets}
        )
    return shapes
