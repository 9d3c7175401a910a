"""The publication protocol: staged, recorded in the commit, moved; recovery at open."""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from batch_ship import publish
from batch_ship.cli import main
from batch_ship.ledger import Ledger, shipped_rows
from batch_ship.publish import (
    DiskFullError,
    open_ledger,
    publication,
    publish_file,
    recover,
)
from batch_ship.samples.orders import write_sample_export
from batch_ship.samples.returns import write_sample_return
from batch_ship.spreadsheets import write as write_module
from batch_ship.workspace import Workspace, open_workspace
from tests.conftest import SENDER_TOML


@pytest.fixture
def workspace(home: Path) -> Workspace:
    return open_workspace(home)


def hidden(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


def test_publish_file_replaces_the_target_on_success(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "report.html"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    with publish_file(target) as staged:
        assert staged.parent.name.startswith(".publish-")  # no name a person takes for it
        staged.write_text("new", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "old"  # invisible until the end
    assert target.read_text(encoding="utf-8") == "new"
    assert [path.name for path in target.parent.iterdir()] == ["report.html"]


def test_publish_file_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "keep.xlsx"
    target.write_bytes(b"old")

    def half_written() -> None:
        with publish_file(target) as staged:
            staged.write_bytes(b"half")
            raise OSError("half written")

    with pytest.raises(OSError, match="half"):
        half_written()
    assert target.read_bytes() == b"old"
    assert [path.name for path in tmp_path.iterdir()] == ["keep.xlsx"]


def test_a_committed_publication_moves_in_order_and_forgets_its_record(
    workspace: Workspace,
) -> None:
    target = workspace.batch_dir("20261126-01")
    with open_ledger(workspace) as ledger:
        with publication(workspace, ledger) as publishing:
            first = publishing.file(target / "reconcile.xlsx")
            second = publishing.file(target / "upload-taobao.csv")
            first.write_bytes(b"r")
            second.write_bytes(b"u")
            with ledger.write():
                publishing.record()
            assert not target.exists()  # committed, not yet moved
        assert (target / "reconcile.xlsx").read_bytes() == b"r"
        assert (target / "upload-taobao.csv").read_bytes() == b"u"
        assert ledger.publications() == {}
    assert hidden(workspace.batches_dir) == []


def test_a_rolled_back_publication_leaves_nothing(workspace: Workspace) -> None:
    target = workspace.batch_dir("20261126-01")
    with open_ledger(workspace) as ledger:

        def failing_run() -> None:
            with publication(workspace, ledger) as publishing:
                publishing.file(target / "upload-taobao.csv").write_bytes(b"u")
                with ledger.write():
                    publishing.record()
                    raise RuntimeError("the run failed before its commit")

        with pytest.raises(RuntimeError):
            failing_run()
        assert ledger.publications() == {}
    assert not target.exists()
    assert hidden(workspace.batches_dir) == []


def test_a_withdrawn_file_goes_with_the_commit_and_stays_without_it(
    workspace: Workspace,
) -> None:
    folder = workspace.batch_dir("20261126-01")
    stale = folder / "labels-zto-3.pdf"
    with open_ledger(workspace) as ledger:
        folder.mkdir(parents=True)  # after the recovery: a folder the ledger lacks moves aside
        stale.write_bytes(b"old part")

        def run(*, fail: bool) -> None:
            with publication(workspace, ledger) as publishing:
                publishing.file(folder / "labels-zto.pdf").write_bytes(b"new")
                publishing.withdraw(stale)
                with ledger.write():
                    publishing.record()
                    if fail:
                        raise RuntimeError("the run failed before its commit")

        with pytest.raises(RuntimeError):
            run(fail=True)
        assert stale.read_bytes() == b"old part"  # nothing committed: nothing taken away
        assert not (folder / "labels-zto.pdf").exists()
        run(fail=False)
        assert sorted(path.name for path in folder.iterdir()) == ["labels-zto.pdf"]
    assert hidden(workspace.batches_dir) == []


def test_an_error_after_the_commit_still_publishes(workspace: Workspace) -> None:
    """The ledger committed the record: the files it names must appear."""
    target = workspace.batch_dir("20261126-01") / "upload-taobao.csv"
    with open_ledger(workspace) as ledger:

        def interrupted_run() -> None:
            with publication(workspace, ledger) as publishing:
                publishing.file(target).write_bytes(b"u")
                with ledger.write():
                    publishing.record()
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            interrupted_run()
    assert target.read_bytes() == b"u"


def test_an_interrupt_during_the_moves_is_raised_once_they_are_all_done(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = workspace.batch_dir("20261126-01")
    real = publish._move
    moved: list[str] = []

    def interrupted_after_the_first(staged: Path, target: Path) -> None:
        real(staged, target)
        moved.append(target.name)
        if len(moved) == 1:
            raise KeyboardInterrupt  # SIGTERM's handler, right after the first rename

    monkeypatch.setattr(publish, "_move", interrupted_after_the_first)
    with open_ledger(workspace) as ledger:

        def run() -> None:
            with publication(workspace, ledger) as publishing:
                publishing.file(folder / "reconcile-1.xlsx").write_bytes(b"r")
                publishing.file(folder / "upload-taobao.csv").write_bytes(b"u")
                with ledger.write():
                    publishing.record()

        with pytest.raises(KeyboardInterrupt):
            run()
        assert ledger.publications() == {}
    assert moved == ["reconcile-1.xlsx", "upload-taobao.csv"]
    assert (folder / "upload-taobao.csv").read_bytes() == b"u"
    assert hidden(workspace.batches_dir) == []


def known_batch(ledger: Ledger, batch_id: str) -> None:
    """A batch row, as export's commit leaves it (no parcels needed here)."""
    with ledger.write():
        ledger._conn.execute(
            "INSERT INTO batches (batch_id, courier, created, files, first_parcel, last_parcel)"
            " VALUES (?, 'zto', '2026-11-26T09:00:00', '[]', 1, 0)",
            (batch_id,),
        )


def dead_run(workspace: Workspace, ledger: Ledger, run: str, target: Path) -> Path:
    """What a run killed between its commit and its move leaves: a recorded publication,
    its staged file, its lock file held by nobody."""
    root = workspace.batches_dir / f".publish-{run}"
    root.mkdir(parents=True)
    staged = root / f"0-{target.name}"
    staged.write_bytes(b"committed")
    (workspace.batches_dir / f".publish-{run}.lock").touch()
    rel = staged.relative_to(workspace.home).as_posix()
    with ledger.write():
        ledger.record_publication(run, [(rel, target.relative_to(workspace.home).as_posix())])
    return staged


def test_recovery_finishes_a_dead_runs_committed_moves(workspace: Workspace) -> None:
    target = workspace.batch_dir("20261126-01") / "upload-taobao.csv"
    with Ledger.open(workspace.ledger_path) as ledger:
        known_batch(ledger, "20261126-01")
        dead_run(workspace, ledger, "999-dead", target)
    with open_ledger(workspace) as ledger:
        assert ledger.publications() == {}
    assert target.read_bytes() == b"committed"
    assert hidden(workspace.batches_dir) == []


def test_recovery_leaves_a_live_runs_staging_alone(workspace: Workspace) -> None:
    target = workspace.batch_dir("20261126-01") / "upload-taobao.csv"
    with open_ledger(workspace) as ledger, publication(workspace, ledger) as publishing:
        staged = publishing.file(target)
        staged.write_bytes(b"being written")
        with open_ledger(workspace) as other:  # another command opens the workspace
            recover(workspace, other)
        assert staged.read_bytes() == b"being written"
    assert not target.exists()  # never recorded: discarded at the end


def test_recovery_deletes_leftovers_of_killed_runs_and_sets_aside_unknown_batches(
    workspace: Workspace,
) -> None:
    batches = workspace.batches_dir
    known = batches / "20261126-01"
    known.mkdir(parents=True)
    leftovers = [
        batches / ".export-4242-0a1b2c3d" / "submission-zto.xlsx",
        batches / ".publish-4242-0a1b2c3d" / "batch" / "submission-zto.xlsx",
        known / ".reconcile-0123456789ab.staged.xlsx",
        known / ".upload-taobao.csv.k2j_x9ab.tmp",
        known / ".submission-zto-0123456789ab.tmp.xlsx",
        workspace.home / ".report-0123456789ab.tmp.html",
    ]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"partial")
    (batches / ".publish-4242-0a1b2c3d.lock").touch()
    kept = [known / "submission-zto.xlsx", known / "notes.txt", workspace.home / ".keep"]
    for path in kept:
        path.write_bytes(b"mine")
    unknown = batches / "20261125-07"  # a batch the ledger never committed, any day
    (unknown / "submission-zto.xlsx").parent.mkdir()
    (unknown / "submission-zto.xlsx").write_bytes(b"x")
    with Ledger.open(workspace.ledger_path) as ledger:
        known_batch(ledger, "20261126-01")
    with open_ledger(workspace):
        pass
    assert not any(path.exists() for path in leftovers)
    assert all(path.read_bytes() == b"mine" for path in kept)
    assert not unknown.exists()
    aside = [name for name in hidden(batches) if name.startswith(".abandoned-20261125-07-")]
    assert len(aside) == 1
    assert hidden(batches) == aside
    assert sorted(path.name for path in batches.iterdir() if path.name[0] != ".") == ["20261126-01"]


def test_a_full_disk_is_a_disk_full_error_naming_the_folder_and_the_size(
    workspace: Workspace,
) -> None:
    target = workspace.batch_dir("20261126-01") / "upload-taobao.csv"
    with open_ledger(workspace) as ledger:

        def full_disk_run() -> None:
            with publication(workspace, ledger) as publishing:
                publishing.estimate = lambda: 5 * 1024 * 1024
                publishing.file(target)
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        with pytest.raises(DiskFullError) as caught:
            full_disk_run()
        assert ledger.publications() == {}
    message = str(caught.value)
    assert str(workspace.batches_dir) in message
    assert "5.0 MB" in message
    assert "ledger is unchanged" in message
    assert hidden(workspace.batches_dir) == []


def test_the_pause_hook_writes_its_marker_only_at_its_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "marker"
    monkeypatch.setattr(publish, "PAUSE_SECONDS", 0.05)
    monkeypatch.setenv(publish.PAUSE_ENV, f"committed:{marker}")
    publish.pause("staged")
    assert not marker.exists()
    publish.pause("committed")
    assert marker.read_text(encoding="utf-8") == str(os.getpid())


# --- disk full, through the CLI ------------------------------------------------------------


def batch_ids(home: Path) -> set[str]:
    if not (home / "ledger.sqlite3").exists():
        return set()
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        return ledger.batch_ids()


def test_export_onto_a_full_disk_says_so_and_leaves_nothing(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """The real xlsx writer writing to /dev/full, which answers every write with ENOSPC (the
    seam for machines where a small file system cannot be mounted)."""
    real = write_module.xlsx.write_worksheets

    def onto_a_full_disk(entries: object, path: str, **options: object) -> None:
        real(entries, "/dev/full", **options)

    orders, _ = write_sample_export(tmp_path / "in", orders=300, seed=5)
    monkeypatch.setattr(write_module.xlsx, "write_worksheets", onto_a_full_disk)
    result = CliRunner().invoke(main, ["--home", str(home), "export", str(orders)])
    assert result.exit_code == 1, result.output
    assert "the disk is full" in result.output
    assert str(home / "batches") in result.output
    assert re.search(r"need about [0-9.,]+ (KB|MB) free", result.output)
    assert "Traceback" not in result.output
    assert batch_ids(home) == set()
    assert list((home / "batches").iterdir()) == []
    err = capfd.readouterr().err
    assert "ZipWriter" not in err
    assert "StorageFull" not in err


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs (mounting needs root, as CI runs): a disk that really fills up."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace')}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_really_full_disk_during_export_and_import(small_disk: Path, tmp_path: Path) -> None:
    home = small_disk / "shop"
    home.mkdir()
    (home / "batch_ship.toml").write_text(SENDER_TOML, encoding="utf-8")
    first, _ = write_sample_export(tmp_path / "first", orders=20, seed=1)
    second, _ = write_sample_export(tmp_path / "second", orders=4000, seed=2, stamp="202611261000")
    command = [sys.executable, "-m", "batch_ship", "--home", str(home)]
    subprocess.run([*command, "export", str(first)], check=True, capture_output=True)
    before = batch_ids(home)
    (batch,) = before
    returned = write_sample_return(open_workspace(home), batch, tmp_path / "return.xlsx")
    filler = small_disk / "filler"
    # export: room for the ledger, not for the workbooks; import: hardly any room at all
    steps = [(["export", str(second)], 160), (["import-tracking", str(returned)], 4)]
    for args, left_kib in steps:
        filler.unlink(missing_ok=True)
        free = shutil.disk_usage(small_disk).free
        filler.write_bytes(b"\0" * max(0, free - left_kib * 1024))
        done = subprocess.run([*command, *args], capture_output=True, text=True)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "the disk is full" in done.stderr, done.stderr
        assert str(home) in done.stderr  # batches/ or, when the ledger cannot open, the home
        for noise in ("Traceback", "ZipWriter", "panicked", "StorageFull"):
            assert noise not in done.stderr
    assert sorted(path.name for path in (home / "batches").iterdir()) == [batch]
    assert not (home / "batches" / batch / "upload-taobao.csv").exists()
    filler.unlink()  # room again (reading the ledger needs some): nothing changed in it
    assert batch_ids(home) == before
    with Ledger.open(home / "ledger.sqlite3") as ledger:
        assert len(shipped_rows(ledger.parcels(batch))) == 0
        assert ledger.publications() == {}
    subprocess.run([*command, "export", str(second)], check=True, capture_output=True)
    assert len(batch_ids(home)) == 2  # and the same export goes through
