"""The waybill-number stock, from-stock label records, printing and handovers (schema 7)."""

# How the stock works (the rules `numbers`, `export --from-stock`, `labels` and `handover` rely on):
# - stock.number is UNIQUE, and a trigger refuses a stock number the tracking table already
#   holds: a number is used once, ever, whatever the code does. Numbers are handed out in
#   the order they were added (rowid), to a batch's parcels in submission order.
# - A number taken from stock goes into `tracking` (UNIQUE too) in the same transaction as
#   the batch, so two exports never share one; a failed export rolls both back.
# - parcel_labels holds what a from-stock parcel's label needs (recipient, items) as JSON,
#   when it was first printed, how often, and the handover that took it.
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from batch_ship.errors import LedgerError
from batch_ship.i18n import _
from batch_ship.ledger.store import Store

# Labelled, not voided, not handed over: what the next handover sheet lists.
_WAITING = "printed_at IS NOT NULL AND handover_id IS NULL AND voided_at IS NULL"


@dataclass(frozen=True)
class StockNumber:
    """One number to add, with the courier's sort code (大头笔/三段码) and 集包地 when given."""

    number: str
    sort_code: str = ""
    hub: str = ""


@dataclass(frozen=True)
class StockCount:
    """A courier's stock: free numbers, used ever and since a moment, retired."""

    courier: str
    free: int
    used: int
    used_since: int
    retired: int


@dataclass(frozen=True)
class LabelRecord:
    """A from-stock parcel as the ledger holds it: ids, its number and label data."""

    parcel_id: int
    seq: int
    waybill: str
    sort_code: str
    hub: str
    data: dict[str, Any]


def stock_too_small(courier: str, needed: int, free: int) -> LedgerError:
    return LedgerError(
        _(
            "the {courier} number stock is too small: {needed:,} parcels need numbers, "
            "{free:,} are free ({missing:,} missing); nothing was exported"
        ).format(courier=courier, needed=needed, free=free, missing=needed - free),
        hint=_(
            "add numbers first: batch-ship numbers add --courier {courier} --range START "
            "--count N (or a file of numbers)"
        ).format(courier=courier),
    )


class StockRecords(Store):
    """The number stock, from-stock parcels' labels, their printing and handovers."""

    def numbers_known(self, numbers: Sequence[str]) -> dict[str, str]:
        """For each number the ledger already knows: 'stock:<courier>' or 'used:<batch>'."""
        found: dict[str, str] = {}
        payload = json.dumps(list(numbers))
        for number, courier in self._conn.execute(
            "SELECT s.number, s.courier FROM json_each(?) AS j"
            " JOIN stock AS s ON s.number = j.value",
            (payload,),
        ):
            found[number] = f"stock:{courier}"
        for number, batch in self._conn.execute(
            "SELECT t.number, p.batch_id FROM json_each(?) AS j JOIN tracking AS t"
            " ON t.number = j.value LEFT JOIN parcels AS p ON p.parcel_id = t.parcel_id",
            (payload,),
        ):
            found[number] = f"used:{batch or ''}"
        return found

    def add_stock(self, courier: str, numbers: Sequence[StockNumber], source: str, at: str) -> None:
        """Add numbers to a courier's free stock, in this order. Inside write(); a number the
        ledger knows already makes SQLite refuse (UNIQUE, trigger): LedgerError, nothing added."""
        self._require_write("add_stock")
        try:
            self._conn.executemany(
                "INSERT INTO stock (number, courier, sort_code, hub, added_at, source)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(n.number, courier, n.sort_code, n.hub, at, source) for n in numbers],
            )
        except Exception as error:  # sqlite3.IntegrityError: the ledger's own guard
            if "UNIQUE" in str(error) or "already used" in str(error):
                raise LedgerError(
                    _("a number is already in stock or used: {error}; nothing was added").format(
                        error=error
                    ),
                    path=self.path,
                    hint=_("run the command again: it reports which rows are known"),
                ) from error
            raise

    def stock_counts(self, since: str) -> list[StockCount]:
        """Every courier with stock: free, used, used since `since` (ISO UTC), retired."""
        rows = self._conn.execute(
            "SELECT courier, sum(state = 'free'), sum(state = 'used'),"
            " sum(state = 'used' AND used_at >= ?), sum(state = 'retired')"
            " FROM stock GROUP BY courier ORDER BY courier",
            (since,),
        )
        return [StockCount(r[0], int(r[1]), int(r[2]), int(r[3] or 0), int(r[4])) for r in rows]

    def free_count(self, courier: str) -> int:
        """The courier's free numbers that no parcel holds (an import may have recorded one)."""
        row = self._conn.execute(
            "SELECT count(*) FROM stock AS s WHERE s.courier = ? AND s.state = 'free'"
            " AND NOT EXISTS (SELECT 1 FROM tracking AS t WHERE t.number = s.number)",
            (courier,),
        ).fetchone()
        return int(row[0])

    def take_numbers(self, courier: str, parcel_ids: Sequence[int], at: str) -> list[str]:
        """Mark the courier's next free numbers used by `parcel_ids` (in that order) and return
        them; the caller records them as the parcels' tracking numbers in the same write().
        Raises LedgerError when the stock is too small, saying how many are missing."""
        self._require_write("take_numbers")
        conn = self._conn
        rows = conn.execute(
            "SELECT s.rowid, s.number FROM stock AS s WHERE s.courier = ? AND s.state = 'free'"
            " AND NOT EXISTS (SELECT 1 FROM tracking AS t WHERE t.number = s.number)"
            " ORDER BY s.rowid LIMIT ?",
            (courier, len(parcel_ids)),
        ).fetchall()
        if len(rows) < len(parcel_ids):
            raise stock_too_small(courier, len(parcel_ids), len(rows))
        conn.executemany(
            "UPDATE stock SET state = 'used', parcel_id = ?, used_at = ? WHERE rowid = ?",
            [(parcel, at, row[0]) for parcel, row in zip(parcel_ids, rows, strict=True)],
        )
        return [str(row[1]) for row in rows]

    def record_labels(self, courier: str, labels: Iterable[tuple[int, str]]) -> None:
        """Store each from-stock parcel's label data (parcel_id, JSON). Inside write()."""
        self._require_write("record_labels")
        self._conn.executemany(
            "INSERT INTO parcel_labels (parcel_id, courier, label) VALUES (?, ?, ?)",
            ((parcel_id, courier, label) for parcel_id, label in labels),
        )

    def label_records(self, batch_id: str) -> list[LabelRecord]:
        """The batch's from-stock parcels in submission order, with their number (the one
        taken from stock) and label data; [] for a batch that took no numbers from stock."""
        rows = self._conn.execute(
            "SELECT l.parcel_id, p.seq, s.number, s.sort_code, s.hub, l.label"
            " FROM batches AS b JOIN parcel_labels AS l"
            " ON l.parcel_id BETWEEN b.first_parcel AND b.last_parcel"
            " JOIN parcels AS p ON p.parcel_id = l.parcel_id"
            " JOIN stock AS s ON s.parcel_id = l.parcel_id AND s.state = 'used'"
            " WHERE b.batch_id = ? AND l.voided_at IS NULL ORDER BY p.seq",
            (batch_id,),
        )
        return [LabelRecord(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]

    def record_printing(self, parcel_ids: Sequence[int], at: str) -> None:
        """These parcels' labels were printed at `at` (the first time keeps its time)."""
        self._require_write("record_printing")
        self._conn.execute(
            "UPDATE parcel_labels SET printed_at = coalesce(printed_at, ?2), prints = prints + 1"
            " WHERE parcel_id IN (SELECT value FROM json_each(?1))",
            (json.dumps(list(parcel_ids)), at),
        )

    def waiting_handover(self, courier: str) -> list[LabelRecord]:
        """Every parcel of the courier labelled and not yet handed over (nor voided), in the
        order they were made."""
        rows = self._conn.execute(
            "SELECT l.parcel_id, p.seq, s.number, s.sort_code, s.hub, l.label"
            " FROM parcel_labels AS l JOIN parcels AS p ON p.parcel_id = l.parcel_id"
            " JOIN stock AS s ON s.parcel_id = l.parcel_id AND s.state = 'used'"
            f" WHERE l.courier = ? AND {_WAITING} ORDER BY l.parcel_id",
            (courier,),
        )
        return [LabelRecord(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]

    def next_handover(self, courier: str, day: str) -> int:
        """The number n of the courier's next handover sheet that day (1, 2, …)."""
        row = self._conn.execute(
            "SELECT coalesce(max(n), 0) FROM handovers WHERE courier = ? AND day = ?",
            (courier, day),
        ).fetchone()
        return int(row[0]) + 1

    def record_handover(
        self,
        courier: str,
        day: str,
        n: int,
        parcel_ids: Sequence[int],
        files: Sequence[str],
        at: str,
    ) -> None:
        """The handover sheet n of `day` took these parcels. Inside write(); a parcel already
        handed over is a LedgerError (another handover ran meanwhile): nothing recorded."""
        self._require_write("record_handover")
        conn = self._conn
        handover_id = conn.execute(
            "INSERT INTO handovers (courier, day, n, at, parcels, files) VALUES (?, ?, ?, ?, ?, ?)",
            (courier, day, n, at, len(parcel_ids), json.dumps(list(files), ensure_ascii=False)),
        ).lastrowid
        changed = conn.execute(
            f"UPDATE parcel_labels SET handover_id = ?1 WHERE {_WAITING}"
            " AND parcel_id IN (SELECT value FROM json_each(?2))",
            (handover_id, json.dumps(list(parcel_ids))),
        ).rowcount
        if changed != len(parcel_ids):
            raise LedgerError(
                _("{count} parcel(s) were handed over meanwhile; nothing was recorded").format(
                    count=len(parcel_ids) - changed
                ),
                path=self.path,
                hint=_("run batch-ship handover again"),
            )

    def awaiting_handover(self) -> dict[str, int]:
        """Per courier: parcels labelled and not yet handed over (the status and report)."""
        rows = self._conn.execute(
            f"SELECT courier, count(*) FROM parcel_labels WHERE {_WAITING}"
            " GROUP BY courier ORDER BY courier"
        )
        return {str(courier): int(count) for courier, count in rows}

    def release_numbers(self, numbers: Sequence[str], on_void: str, at: str) -> list[str]:
        """Cancelled waybills' numbers, handled by the courier's rule: 'return' puts a stock
        number back in the free stock (handed out again once no tracking row holds it),
        'retire' keeps it from ever being used again. Their parcels' labels leave the
        handover queue. Numbers not taken from stock are left alone. Returns the stock
        numbers handled, in the order given. Inside write()."""
        self._require_write("release_numbers")
        conn = self._conn
        rows = conn.execute(
            "SELECT s.rowid, s.number, s.parcel_id FROM json_each(?) AS j"
            " JOIN stock AS s ON s.number = j.value WHERE s.state = 'used' ORDER BY j.key",
            (json.dumps(list(numbers)),),
        ).fetchall()
        conn.executemany(
            "UPDATE parcel_labels SET voided_at = coalesce(voided_at, ?) WHERE parcel_id = ?",
            [(at, row[2]) for row in rows],
        )
        if on_void == "return":
            change = "state = 'free', parcel_id = NULL, used_at = NULL"
        else:
            change = "state = 'retired'"
        conn.executemany(f"UPDATE stock SET {change} WHERE rowid = ?", [(row[0],) for row in rows])
        return [str(row[1]) for row in rows]
