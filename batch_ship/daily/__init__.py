"""The daily routine: `init` a workspace, then export new inbox files and import returns once."""

from batch_ship.daily.files import ERROR_SUFFIX
from batch_ship.daily.inbox import SETTLE_SECONDS, SPREADSHEET_SUFFIXES, Waiting, archive_file
from batch_ship.daily.init import CONFIG_TEMPLATE, FOLDERS, InitResult, init_workspace
from batch_ship.daily.lock import LOCK_NAME, DailyBusyError, workspace_lock
from batch_ship.daily.result import DailyResult, FileResult, describe_result, summary_lines
from batch_ship.daily.run import Exporter, Importer, run_daily

__all__ = [
    "CONFIG_TEMPLATE",
    "ERROR_SUFFIX",
    "FOLDERS",
    "LOCK_NAME",
    "SETTLE_SECONDS",
    "SPREADSHEET_SUFFIXES",
    "DailyBusyError",
    "DailyResult",
    "Exporter",
    "FileResult",
    "Importer",
    "InitResult",
    "Waiting",
    "archive_file",
    "describe_result",
    "init_workspace",
    "run_daily",
    "summary_lines",
    "workspace_lock",
]
