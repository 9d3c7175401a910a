"""Numbers from a range (`--range START --count N`, `START-END`), paired with the parcels still
awaiting tracking in submission order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from batch_ship.couriers import Courier
from batch_ship.errors import InputError
from batch_ship.i18n import _
from batch_ship.problems import (
    UNUSED_RANGE_NUMBER,
    USED_BY_ANOTHER_PARCEL,
)
from batch_ship.tracking.plan import ImportPlan, plan_numbers
from batch_ship.tracking.rows import (
    DuplicateRow,
    UnknownRow,
)
from batch_ship.tracking_numbers import (
    RangeError,
    TrackingRule,
    describe_rule,
    number_range,
    parse_range,
)


@dataclass(frozen=True)
class NumberRange:
    """A range as asked for: `spec` as typed, and its start with an end or a count."""

    spec: str
    start: str
    end: str | None
    count: int | None

    @classmethod
    def parse(cls, spec: str, count: int | None) -> NumberRange:
        """START with --count N, or START-END; an InputError for anything else."""
        try:
            start, end = parse_range(spec)
        except RangeError as error:
            raise InputError(str(error)) from error
        if end is not None and count is not None:
            raise InputError(
                _("--range {spec} already has an end: drop --count, or give START only").format(
                    spec=spec
                )
            )
        if end is None and count is None:
            raise InputError(
                _("--range {spec} needs --count N (or write START-END)").format(spec=spec)
            )
        return cls(spec, start, end, count)

    @property
    def label(self) -> str:
        """How the reconcile workbook names the range as a source."""
        return f"range {self.spec}" + (f" count {self.count}" if self.count else "")

    def numbers(self, courier: Courier) -> list[str]:
        """The range's numbers under the courier's rule; an InputError when they break it."""
        try:
            return number_range(courier.tracking, self.start, count=self.count, end=self.end)
        except RangeError as error:
            raise InputError(
                _("--range {range_spec}: {error}").format(range_spec=self.spec, error=error),
                hint=_(
                    "{courier} numbers have {words}; write --range START --count N or "
                    "--range START-END"
                ).format(courier=courier.name, words=describe_rule(courier.tracking)),
            ) from error


def plan_range(
    numbers: list[str],
    parcels: pd.DataFrame,
    owners: Mapping[str, int],
    rule: TrackingRule,
    label: str,
) -> ImportPlan:
    """Pair consecutive numbers with the parcels still awaiting tracking, in seq order.

    Numbers the batch's parcels already hold count those parcels as already recorded (a re-run
    of the same range); numbers another parcel holds are duplicates; the rest go in order."""
    plan = ImportPlan()
    references = dict(
        zip(parcels["parcel_id"].tolist(), parcels["reference"].tolist(), strict=True)
    )
    free: list[str] = []
    for number in numbers:
        owner = owners.get(number)
        if owner is None:
            free.append(number)
        elif owner in references:
            plan.already.add(owner)
        else:
            plan.duplicates.append(
                DuplicateRow(
                    label, "", number, USED_BY_ANOTHER_PARCEL, f"parcel {owner} (another batch)"
                )
            )
    awaiting = parcels[(parcels["tracking"] == "") & ~parcels["parcel_id"].isin(plan.already)]
    targets = awaiting.sort_values("seq")["parcel_id"].tolist()[: len(free)]
    for number in free[len(targets) :]:
        plan.unknown.append(UnknownRow(label, None, "", number, UNUSED_RANGE_NUMBER))
        plan.unused += 1
    if plan.already:
        plan.matched.append(_already_recorded(sorted(plan.already), references, label))
    items = pd.DataFrame(
        {
            "parcel_id": pd.Series(targets, dtype="int64"),
            "number": pd.Series(free[: len(targets)], dtype="str"),
            "source": pd.Series([label] * len(targets), dtype="str"),
            "method": pd.Series(["range"] * len(targets), dtype="str"),
        }
    )
    plan_numbers(plan, items, parcels, owners, rule, replace=False)
    return plan


def _already_recorded(
    already: list[int], references: Mapping[int, str], label: str
) -> pd.DataFrame:
    """The matched sheet's rows of parcels a re-run of the range finds numbered already."""
    return pd.DataFrame(
        {
            "reference": [references[pid] for pid in already],
            "tracking": "",
            "status": "already-recorded",
            "method": "range",
            "source": label,
        },
        dtype="str",
    ).assign(parcel_id=pd.Series(already, dtype="int64"))
