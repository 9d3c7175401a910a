"""What an import does, decided before the ledger changes: `ImportPlan`, from return rows or
from a range of numbers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch_ship.columns import arrow_text
from batch_ship.damaged_references import damaged_reference
from batch_ship.ledger import TrackingAssignment
from batch_ship.problems import (
    DIGITS_LOST,
    DUPLICATE_IN_FILE,
    INVALID_NUMBER,
    NO_REFERENCE,
    UNKNOWN_REFERENCE,
    USED_BY_ANOTHER_PARCEL,
)
from batch_ship.tracking.cells import split_cells
from batch_ship.tracking.matching import match_rows
from batch_ship.tracking.rows import (
    MATCHED_COLUMNS,
    ConflictRow,
    DuplicateRow,
    InvalidRow,
    ReturnRows,
    UnknownRow,
)
from batch_ship.tracking_numbers import TrackingRule, describe_rule, validate_all


def _no_numbers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "parcel_id": pd.Series([], dtype="int64"),
            "number": pd.Series([], dtype="str"),
            "source": pd.Series([], dtype="str"),
        }
    )


@dataclass
class ImportPlan:
    """Everything an import decided before the ledger changes. `fresh` holds the new numbers
    as columns parcel_id, number, source (no object per number: a return has 100k); `matched`
    the matched sheet in chunks (MATCHED_COLUMNS and parcel_id); the rest, the few problems."""

    fresh: pd.DataFrame = field(default_factory=_no_numbers)
    replace: list[TrackingAssignment] = field(default_factory=list)
    matched: list[pd.DataFrame] = field(default_factory=list)
    unknown: list[UnknownRow] = field(default_factory=list)
    invalid: list[InvalidRow] = field(default_factory=list)
    duplicates: list[DuplicateRow] = field(default_factory=list)
    conflicts: list[ConflictRow] = field(default_factory=list)
    already: set[int] = field(default_factory=set)  # parcels already holding their numbers
    unused: int = 0  # range numbers left over

    def matched_rows(self) -> pd.DataFrame:
        """The matched sheet's rows (MATCHED_COLUMNS, then parcel_id) in one frame."""
        if not self.matched:
            empty = pd.DataFrame({name: pd.Series([], dtype="str") for name in MATCHED_COLUMNS})
            return empty.assign(parcel_id=pd.Series([], dtype="int64"))
        return pd.concat(self.matched, ignore_index=True)


def plan_file_rows(
    rows: ReturnRows,
    parcels: pd.DataFrame,
    owners: Mapping[str, int],
    rule: TrackingRule,
    *,
    replace: bool = False,
    split: pd.DataFrame | None = None,
) -> ImportPlan:
    """Decide what a return does: matched, unknown, invalid, duplicate, conflicting numbers.

    `rows` are `read_returns` rows, `parcels` the batch's (`Ledger.parcels`), `owners` the
    parcel holding each number already; `split` is `split_cells(rows.frame["cell"])` when
    the caller has it already."""
    plan = ImportPlan()
    matched = match_rows(rows, parcels)
    if split is None:
        split = split_cells(matched["cell"])
    cell_of = split["row"].to_numpy()
    known = matched["parcel_id"].notna().to_numpy()
    plan.unknown.extend(_unknown_rows(matched, split, known))
    applies = known[cell_of]
    chosen = matched.iloc[cell_of[applies]]
    # .array, not .to_numpy(): text stays in Arrow, without a Python string per cell
    numbers = pd.DataFrame(
        {
            "parcel_id": chosen["parcel_id"].astype("int64").to_numpy(),
            "number": split["number"][applies].array,
            "source": (chosen["source"] + " row " + chosen["row"].astype("str")).array,
            "method": chosen["method"].array,
        }
    )
    plan_numbers(plan, numbers, parcels, owners, rule, replace=replace)
    return plan


def _unknown_rows(
    matched: pd.DataFrame, split: pd.DataFrame, known: np.ndarray
) -> list[UnknownRow]:
    """The rows with numbers but no parcel, and why (few: only these go through Python)."""
    cell_of = split["row"].to_numpy()
    counts = np.bincount(cell_of, minlength=len(matched))
    unknown = np.flatnonzero(~known & (counts > 0))
    picked = matched.iloc[unknown]
    numbers_of = split[np.isin(cell_of, unknown)].groupby("row")["number"].agg(",".join)
    found = []
    for position, source, row, reference in zip(
        unknown.tolist(),
        picked["source"].tolist(),
        picked["row"].tolist(),
        picked["reference"].tolist(),
        strict=True,
    ):
        reason = NO_REFERENCE if not reference else UNKNOWN_REFERENCE
        if reference and not reference.isdigit() and damaged_reference(reference):
            reason = DIGITS_LOST
        found.append(UnknownRow(source, row, reference, numbers_of[position], reason))
    return found


def plan_numbers(
    plan: ImportPlan,
    numbers: pd.DataFrame,
    parcels: pd.DataFrame,
    owners: Mapping[str, int],
    rule: TrackingRule,
    *,
    replace: bool,
) -> None:
    """Validate, find duplicates and conflicts, and fill the plan's assignments.

    `numbers` has one row per (parcel_id, number, source, method), in file order."""
    references = parcels.set_index("parcel_id")["reference"]
    numbers = numbers.assign(reference=_of_parcels(parcels, "reference", numbers["parcel_id"]))
    valid = valid_numbers(rule, numbers["number"])
    described = describe_rule(rule)
    bad = numbers[~valid]
    plan.invalid.extend(
        InvalidRow(source, reference, number, INVALID_NUMBER, described)
        for source, reference, number in zip(
            bad["source"].tolist(), bad["reference"].tolist(), bad["number"].tolist(), strict=True
        )
    )
    good = _without_duplicates(plan, numbers[valid], owners, references)
    recorded = _of_parcels(parcels, "tracking", good["parcel_id"])
    fresh = good[(recorded == "").to_numpy()]
    plan.fresh = pd.concat(
        [plan.fresh, fresh[["parcel_id", "number", "source"]].reset_index(drop=True)],
        ignore_index=True,
    )
    plan.matched.append(per_parcel(fresh, "new"))
    held = good[(recorded != "").to_numpy()]
    if not held.empty:
        _plan_held(plan, held, parcels, replace=replace)


def _without_duplicates(
    plan: ImportPlan, numbers: pd.DataFrame, owners: Mapping[str, int], references: pd.Series
) -> pd.DataFrame:
    """`numbers` without those given to two parcels here or held by another parcel (those
    go to the plan's duplicates), each (parcel, number) once."""
    # the usual return names each number once: then no pair repeats and none is spread
    once = numbers["number"].is_unique
    spread = np.zeros(len(numbers), dtype=bool) if once else _spread(numbers)
    owner = numbers["number"].map(pd.Series(owners, dtype="int64")).astype("Int64")
    taken = (owner.notna() & (owner != numbers["parcel_id"])).fillna(False).to_numpy()
    refused = numbers[spread | taken]
    for source, reference, number, is_spread, holder_id in zip(
        refused["source"].tolist(),
        refused["reference"].tolist(),
        refused["number"].tolist(),
        spread[spread | taken].tolist(),
        owner[spread | taken].tolist(),
        strict=True,
    ):
        holder = ""
        if not is_spread:
            holder = str(references.get(holder_id, f"parcel {holder_id} (another batch)"))
        reason = DUPLICATE_IN_FILE if is_spread else USED_BY_ANOTHER_PARCEL
        plan.duplicates.append(DuplicateRow(source, reference, number, reason, holder))
    kept = numbers[~(spread | taken)]
    return kept if once else kept.drop_duplicates(["parcel_id", "number"])


def _spread(numbers: pd.DataFrame) -> np.ndarray:
    """Which rows hold a number given to two parcels here (its (number, parcel) pairs repeat
    the number)."""
    pairs = numbers.drop_duplicates(["number", "parcel_id"])["number"]
    spread: np.ndarray = numbers["number"].isin(pairs[pairs.duplicated()]).to_numpy()
    return spread


def _plan_held(
    plan: ImportPlan, held: pd.DataFrame, parcels: pd.DataFrame, *, replace: bool
) -> None:
    """Numbers for parcels that hold some already: already recorded, or a conflict (applied
    with `replace`)."""
    by_id = parcels.set_index("parcel_id")
    references, existing = by_id["reference"], by_id["tracking"]
    statuses: dict[int, str] = {}
    for parcel_id, group in held.groupby("parcel_id", sort=False):
        wanted = group["number"].tolist()
        pid = int(str(parcel_id))
        before = str(existing[pid]).split(",")
        if set(wanted) <= set(before):
            plan.already.add(pid)
            statuses[pid] = "already-recorded"
            continue
        sources = group["source"].tolist()
        plan.conflicts.append(
            ConflictRow(
                references[pid],
                ",".join(before),
                ",".join(wanted),
                "; ".join(dict.fromkeys(sources)),
                replace,
            )
        )
        if replace:
            statuses[pid] = "replaced"
            plan.replace.extend(
                TrackingAssignment(pid, number, source)
                for number, source in zip(wanted, sources, strict=True)
            )
    for status in ("already-recorded", "replaced"):
        ids = [pid for pid, value in statuses.items() if value == status]
        plan.matched.append(per_parcel(held[held["parcel_id"].isin(ids)], status))


def rows_of(parcels: pd.DataFrame, parcel_ids: pd.Series) -> np.ndarray:
    """The row in `parcels` of each of `parcel_ids` (a plan's: all of them the batch's); a
    sorted search, as `Ledger.parcels` lists parcels in id order."""
    known = parcels["parcel_id"].to_numpy(dtype=np.int64)
    wanted = parcel_ids.to_numpy(dtype=np.int64)
    order = None if bool(np.all(np.diff(known) > 0)) else np.argsort(known, kind="stable")
    ordered = known if order is None else known[order]
    at = np.searchsorted(ordered, wanted).clip(max=max(len(known) - 1, 0))
    if len(wanted) and not (len(known) and bool(np.all(ordered[at] == wanted))):
        raise AssertionError("a parcel id is not among the batch's parcels")
    return at if order is None else order[at]


def _of_parcels(parcels: pd.DataFrame, column: str, parcel_ids: pd.Series) -> pd.Series:
    """parcels[column] for each of `parcel_ids` (all of them parcels of the frame), aligned
    with `parcel_ids`."""
    rows = rows_of(parcels, parcel_ids)
    values = arrow_text(parcels[column]).take(pa.array(rows, type=pa.int64()))
    return pd.Series(values, index=parcel_ids.index, dtype="str")


def valid_numbers(rule: TrackingRule, numbers: pd.Series) -> np.ndarray:
    """`validate_all` on a column: the pattern runs in Arrow (RE2) over ASCII numbers, the
    Python regex loop only on the rest, and on everything when RE2 cannot run the pattern or
    a check digit is involved. On ASCII text, with re.ASCII, both engines accept the same
    (tests/test_tracking_plan.py holds the two together)."""
    texts = pa.array(numbers.astype("str").array)
    if rule.check or not len(texts):
        return validate_all(rule, numbers.tolist())
    try:
        found = pc.match_substring_regex(texts, f"^(?:{rule.pattern})$")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # lookarounds, backreferences
        return validate_all(rule, numbers.tolist())
    empty = pc.equal(pc.binary_length(texts), 0)
    valid = np.asarray(pc.and_(found, pc.invert(empty)).to_numpy(zero_copy_only=False), bool)
    wide = np.flatnonzero(~np.asarray(pc.string_is_ascii(texts).to_numpy(zero_copy_only=False)))
    if len(wide):
        valid[wide] = validate_all(rule, numbers.iloc[wide].tolist())
    return valid


def per_parcel(numbers: pd.DataFrame, status: str) -> pd.DataFrame:
    """The matched sheet's rows: one per parcel, its numbers and sources joined; with the
    parcel_id (not shown) that finds the parcel again."""
    several = numbers["parcel_id"].duplicated(keep=False).to_numpy()
    single = numbers[~several]
    frame = pd.DataFrame(
        {
            "reference": single["reference"].array,
            "tracking": single["number"].array,
            "method": single["method"].array,
            "source": single["source"].array,
        }
    )
    parcel_ids = [single["parcel_id"].to_numpy(dtype=np.int64)]
    if several.any():  # split shipments: few, so plain Python
        joined, ids = _joined(numbers[several])
        frame = pd.concat([frame, joined], ignore_index=True)
        parcel_ids.append(ids)
    frame = frame.astype("str")
    frame.insert(2, "status", status)
    return frame.assign(parcel_id=pd.Series(np.concatenate(parcel_ids), dtype="int64"))


def _joined(multi: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Parcels given several numbers: a row each, numbers comma-joined, sources once each."""
    groups: dict[int, list[tuple[str, str, str, str]]] = {}
    for parcel_id, *values in zip(
        multi["parcel_id"].tolist(),
        multi["reference"].tolist(),
        multi["number"].tolist(),
        multi["method"].tolist(),
        multi["source"].tolist(),
        strict=True,
    ):
        groups.setdefault(parcel_id, []).append(tuple(values))
    joined = pd.DataFrame(
        [
            (
                items[0][0],
                ",".join(item[1] for item in items),
                items[0][2],
                "; ".join(dict.fromkeys(item[3] for item in items)),
            )
            for items in groups.values()
        ],
        columns=["reference", "tracking", "method", "source"],
    )
    return joined, np.fromiter(groups, dtype=np.int64, count=len(groups))
