"""batch_ship.ledger.store: opening, refusals, transactions, busy waits, concurrency."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from batch_ship.errors import LedgerError
from batch_ship.ledger import (
    Ledger,
    LedgerUsageError,
    empty_status,
    ledger_status,
)
from batch_ship.tuning import Tuning
from tests.ledger_helpers import (
    DAY,
    A,
    B,
    consistency_problems,
    new_batch,
    record,
)


def test_a_file_that_is_not_sqlite_is_refused(path: Path) -> None:
    path.write_bytes("订单编号,物流公司\n".encode("gb18030") * 200)
    with pytest.raises(LedgerError, match="not a batch-ship ledger") as caught:
        Ledger(path)
    assert caught.value.path == path
    assert path.read_bytes().startswith("订单编号".encode("gb18030"))  # left untouched


def test_a_folder_in_place_of_the_ledger_is_refused(path: Path) -> None:
    path.mkdir()
    with pytest.raises(LedgerError, match="is a folder"):
        Ledger(path)


def test_a_ledger_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="cannot open the ledger") as caught:
        Ledger(tmp_path / "no-such-home" / "ledger.sqlite3")
    assert caught.value.hint == "check that the folder exists and is writable"


def test_changes_outside_write_are_programming_errors(ledger: Ledger) -> None:
    with pytest.raises(LedgerUsageError, match=r"new_batch_id\(\) changes the ledger"):
        ledger.new_batch_id(DAY)
    with pytest.raises(LedgerUsageError, match="inside write"):
        ledger.record_batch(new_batch("20261126-01", [[A]]))
    with pytest.raises(LedgerUsageError, match="inside write"):
        ledger.record_tracking([1], ["73100000000001"], ["row 2"])
    with pytest.raises(LedgerUsageError, match="inside write"):
        ledger.log_event("export", None, {})
    assert ledger.batches() == []


def _crash_after_recording(ledger: Ledger) -> None:
    with ledger.write():
        batch_id = ledger.new_batch_id(DAY)
        ledger.record_batch(new_batch(batch_id, [[A]], {B: "name-missing"}))
        ledger.log_event("export", batch_id, {"orders_read": 2})
        raise RuntimeError("crash after recording")


def test_an_error_inside_write_leaves_nothing(ledger: Ledger) -> None:
    with pytest.raises(RuntimeError, match="crash"):
        _crash_after_recording(ledger)
    assert ledger.batches() == []
    assert ledger.order_states([A, B]) == {}
    assert ledger.events() == []
    assert record(ledger, [[A]]) == "20261126-01"  # the id is free again


def test_nested_write_is_a_savepoint(ledger: Ledger) -> None:
    with ledger.write():
        ledger.record_batch(new_batch("20261126-01", [[A]]))
        with pytest.raises(LedgerError), ledger.write():
            ledger.record_batch(new_batch("20261126-02", [[A]]))
        ledger.log_event("export", "20261126-01", {})
    assert [info.batch_id for info in ledger.batches()] == ["20261126-01"]
    assert [event.kind for event in ledger.events()] == ["export"]


def test_a_second_writer_waits_then_gives_up_clearly(path: Path) -> None:
    with Ledger.open(path) as holder, Ledger.open(path, tuning=Tuning(busy_timeout=0.05)) as other:
        with holder.write():
            with pytest.raises(LedgerError, match="another batch-ship run") as caught:  # noqa: SIM117
                with other.write():
                    pass
            assert "wait for it to finish" in str(caught.value)
            # reading while another run writes is fine (WAL), even from a fresh open
            assert other.batches() == []
            holder.record_batch(new_batch("20261126-01", [[A]]))
            assert ledger_status(path) == empty_status()  # uncommitted work is invisible
        with other.write():
            other.log_event("status", None, {})


def test_opening_a_new_ledger_never_deadlocks_another_run(path: Path) -> None:
    """Switching a new ledger to WAL needs the only lock on the file. A run that waited for it
    while keeping its read lock would block another run committing (each waiting for the
    other for the whole busy timeout); the open must let go between tries instead."""
    Ledger(path).close()
    with sqlite3.connect(path) as plain:
        plain.execute("PRAGMA journal_mode = DELETE")  # as before a first run switched it
    other = sqlite3.connect(path, timeout=3, isolation_level=None)
    other.execute("BEGIN")
    other.execute("SELECT count(*) FROM batches").fetchone()  # its read lock
    modes: list[str] = []

    def open_ledger() -> None:
        with Ledger.open(path, tuning=Tuning(busy_timeout=10)) as ledger:
            modes.append(ledger._conn.execute("PRAGMA journal_mode").fetchone()[0])

    opening = threading.Thread(target=open_ledger)
    opening.start()
    time.sleep(0.2)  # the open is trying to switch now
    other.execute("INSERT INTO events (kind, at) VALUES ('status', '2026-11-26')")
    other.execute("COMMIT")  # needs the open's read lock gone
    other.close()
    opening.join(timeout=15)
    assert modes == ["wal"]
    with Ledger.open(path) as ledger:
        assert [event.kind for event in ledger.events()] == ["status"]


def _export_in_process(path: str, ids: list[str], barrier: object, results: object) -> None:
    """One export: check the ledger for already-submitted ids, record the rest."""
    barrier.wait()  # type: ignore[attr-defined]
    try:
        with Ledger.open(Path(path)) as ledger, ledger.write():
            known = ledger.order_states(ids)
            fresh = [order_id for order_id in ids if order_id not in known]
            batch_id = ledger.new_batch_id(DAY)
            if fresh:
                ledger.record_batch(new_batch(batch_id, [[order_id] for order_id in fresh]))
        results.put((batch_id, fresh))  # type: ignore[attr-defined]
    except Exception as error:  # reported to the parent, which fails the test with it
        results.put(("error", [f"{type(error).__name__}: {error}"]))  # type: ignore[attr-defined]


def test_two_processes_never_put_one_order_in_two_batches(path: Path) -> None:
    Ledger(path).close()
    ids = [f"4012500{n:012d}" for n in range(400)]
    workloads = [ids[:300], ids[100:]]  # 200 ids overlap
    context = multiprocessing.get_context("fork")  # spawn re-imports pandas: 20x slower
    barrier = context.Barrier(2)
    results = context.Queue()
    workers = [
        context.Process(target=_export_in_process, args=(str(path), load, barrier, results))
        for load in workloads
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert [batch for batch, _ in outcomes if batch == "error"] == [], outcomes
    (batch_1, won_1), (batch_2, won_2) = outcomes
    assert batch_1 != batch_2
    assert not set(won_1) & set(won_2)
    assert set(won_1) | set(won_2) == set(ids)
    with Ledger.open(path) as ledger:
        recorded = {info.batch_id: info.orders for info in ledger.batches()}
        assert recorded == {batch_1: len(won_1), batch_2: len(won_2)}
        assert len(ledger.order_states(ids)) == len(ids)
        assert consistency_problems(ledger) == []


def test_the_page_cache_and_busy_wait_come_from_tuning(path: Path) -> None:
    with Ledger.open(path) as ledger:
        assert ledger._conn.execute("PRAGMA cache_size").fetchone()[0] == -131_072
        assert ledger._conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000
    with Ledger.open(path, tuning=Tuning(cache_kib=2_048, busy_timeout=0.25)) as ledger:
        assert ledger._conn.execute("PRAGMA cache_size").fetchone()[0] == -2_048
        assert ledger._conn.execute("PRAGMA busy_timeout").fetchone()[0] == 250
