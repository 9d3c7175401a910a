"""The files a run publishes, recorded in its commit until they are in place (publish.py)."""

from __future__ import annotations

from collections.abc import Sequence

from batch_ship.ledger.store import Store


class Publications(Store):
    """record_publication, publications, forget_publication: publish.py's crash safety."""

    def record_publication(self, run: str, moves: Sequence[tuple[str, str]]) -> None:
        """Record the files run `run` publishes (staged, target; in move order). Inside
        write(): the same commit as the run's changes."""
        self._require_write("record_publication")
        self._conn.executemany(
            "INSERT INTO publications (run, step, staged, target) VALUES (?, ?, ?, ?)",
            [(run, step, staged, target) for step, (staged, target) in enumerate(moves)],
        )

    def publications(self, run: str | None = None) -> dict[str, list[tuple[str, str]]]:
        """Recorded publications not finished yet (of one run, or all): run -> moves."""
        found: dict[str, list[tuple[str, str]]] = {}
        for name, staged, target in self._conn.execute(
            "SELECT run, staged, target FROM publications WHERE ?1 IS NULL OR run = ?1"
            " ORDER BY run, step",
            (run,),
        ):
            found.setdefault(name, []).append((staged, target))
        return found

    def forget_publication(self, run: str) -> None:
        """A publication's files are in place: drop its record. Inside write()."""
        self._require_write("forget_publication")
        self._conn.execute("DELETE FROM publications WHERE run = ?", (run,))
