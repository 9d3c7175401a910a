"""The export step: order files in, courier workbooks and exceptions.xlsx out, batch recorded."""

from batch_ship.export.result import ExportResult
from batch_ship.export.run import run_export

__all__ = ["ExportResult", "run_export"]
