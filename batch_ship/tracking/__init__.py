"""Tracking numbers back: courier returns and ranges, matching, recording, the upload file."""

from batch_ship.problems import (
    DIGITS_LOST,
    DUPLICATE_IN_FILE,
    INVALID_NUMBER,
    NO_REFERENCE,
    UNKNOWN_REFERENCE,
    UNUSED_RANGE_NUMBER,
    USED_BY_ANOTHER_PARCEL,
)
from batch_ship.tracking.cells import clean_values, split_cells
from batch_ship.tracking.importing import import_tracking
from batch_ship.tracking.matching import match_rows, name_fits, phone_fits
from batch_ship.tracking.plan import ImportPlan, plan_file_rows, valid_numbers
from batch_ship.tracking.ranges import NumberRange, plan_range
from batch_ship.tracking.reconcile import (
    ReconcileRows,
    reconcile_rows,
    reconcile_sheets,
    write_reconcile,
)
from batch_ship.tracking.result import ImportResult
from batch_ship.tracking.returns import (
    ReturnColumns,
    find_return_columns,
    read_return,
    read_returns,
)
from batch_ship.tracking.rows import (
    ConflictRow,
    DuplicateRow,
    InvalidRow,
    ReturnRows,
    UnknownRow,
)

__all__ = [
    "DIGITS_LOST",
    "DUPLICATE_IN_FILE",
    "INVALID_NUMBER",
    "NO_REFERENCE",
    "UNKNOWN_REFERENCE",
    "UNUSED_RANGE_NUMBER",
    "USED_BY_ANOTHER_PARCEL",
    "ConflictRow",
    "DuplicateRow",
    "ImportPlan",
    "ImportResult",
    "InvalidRow",
    "NumberRange",
    "ReconcileRows",
    "ReturnColumns",
    "ReturnRows",
    "UnknownRow",
    "clean_values",
    "find_return_columns",
    "import_tracking",
    "match_rows",
    "name_fits",
    "phone_fits",
    "plan_file_rows",
    "plan_range",
    "read_return",
    "read_returns",
    "reconcile_rows",
    "reconcile_sheets",
    "split_cells",
    "valid_numbers",
    "write_reconcile",
]
