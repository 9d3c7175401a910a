"""Floors: the same reads and writes as export and import-tracking, with no processing."""

from __future__ import annotations

import time
from typing import Any

# Imported here, before any timer starts: the measured steps' imports are not timed either.
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv
import python_calamine  # noqa: F401  (pandas' calamine engine, imported lazily otherwise)
import rustpy_xlsxwriter


def export_floor(orders: str, items: str, rows: str, columns: str, out: str) -> dict[str, Any]:
    """The same reads and one workbook of the submission's shape, with no processing."""
    started = time.perf_counter()
    order_frame = read_csv_floor(orders)
    item_frame = read_csv_floor(items)
    width = int(columns)
    sheet = order_frame.iloc[: int(rows), :width].fillna("")
    sheet.columns = [f"c{index}" for index in range(sheet.shape[1])]
    rustpy_xlsxwriter.write_worksheet(sheet, out)
    return {
        "seconds": time.perf_counter() - started,
        "shape": [int(sheet.shape[0]), int(sheet.shape[1])],
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


def import_floor(path: str, rows: str, out: str) -> dict[str, Any]:
    """Read the courier return and write an upload CSV of the same shape, with no matching."""
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
    upload.to_csv(out, index=False, encoding="gb18030")
    return {"seconds": time.perf_counter() - started, "rows": count}
