"""Paired A/B of export and import-tracking against another checkout, alternating fresh processes.

    python -m bench.ab --old ../old-checkout [--size 100000] [--rounds 6]

Each round runs both trees' export on an empty workspace, back to back, then both trees'
import on a copy of that tree's exported batch, in alternating order (old first in odd rounds,
new first in even ones), each step in its own process through the tree's own
`python -m bench --child`. Rounds are paired because neighbours on a shared machine slow both
sides of a pair alike: the verdict is the median of the per-round ratios new/old, not a ratio
of best times.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.__main__ import OUT, ROOT, SENDER, inputs

STEPS = ("export", "import")
# The return generator moved in the sample subpackage; an older checkout has it at the top.
RETURN_CODE = (
    "import sys; from pathlib import Path; "
    "from batch_ship.workspace import open_workspace\n"
    "try:\n    from batch_ship.samples.returns import write_sample_return as w\n"
    "except ImportError:\n    from batch_ship.sample_returns import write_sample_return as w\n"
    "w(open_workspace(Path(sys.argv[1])), sys.argv[2], Path(sys.argv[3]), seed=1)"
)


class Tree:
    """One checkout measured with its own interpreter (its `.venv`, else this one)."""

    def __init__(self, name: str, root: Path) -> None:
        self.name = name
        self.root = root.resolve()
        venv = self.root / ".venv" / "bin" / "python"
        self.python = str(venv) if venv.exists() else sys.executable
        self.work = OUT / "ab" / name

    def child(self, *args: str) -> dict[str, Any]:
        done = subprocess.run(
            [self.python, "-m", "bench", "--child", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(self.root), "PATH": "/usr/bin:/bin"},
        )
        if done.returncode != 0:
            raise SystemExit(f"{self.name}: {args[0]} failed:\n{done.stderr[-2000:]}")
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    def export(self, orders: Path, items: Path) -> tuple[float, str]:
        home = self.work / "export"
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        (home / "batch_ship.toml").write_text(SENDER, encoding="utf-8")
        result = self.child("export", str(home), str(orders), str(items))
        return float(result["seconds"]), str(result["summary"]["batch"])

    def make_return(self, batch: str) -> Path:
        returned = self.work / "return.xlsx"
        exported = self.work / "export"
        command = [self.python, "-c", RETURN_CODE, str(exported), batch, str(returned)]
        subprocess.run(command, cwd=self.root, check=True, env={"PYTHONPATH": str(self.root)})
        shutil.rmtree(self.work / "exported", ignore_errors=True)
        shutil.copytree(exported, self.work / "exported")  # what every import starts from
        return returned

    def import_(self, batch: str, returned: Path) -> float:
        home = self.work / "import"
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(self.work / "exported", home)
        return float(self.child("import", str(home), batch, str(returned))["seconds"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--old", type=Path, required=True, help="the other checkout")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=6)
    options = parser.parse_args(argv)
    orders, items = inputs(options.size)
    trees = {"old": Tree("old", options.old), "new": Tree("new", ROOT)}
    prepared = {name: tree.export(orders, items) for name, tree in trees.items()}
    returns = {name: tree.make_return(prepared[name][1]) for name, tree in trees.items()}
    seconds: dict[tuple[str, str], list[float]] = {}
    for round_ in range(options.rounds):
        order = ("old", "new") if round_ % 2 == 0 else ("new", "old")
        # the two runs of a step back to back: a pair shares the machine's state of the moment
        for name in order:
            seconds.setdefault(("export", name), []).append(trees[name].export(orders, items)[0])
        for name in order:
            tree, batch = trees[name], prepared[name][1]
            seconds.setdefault(("import", name), []).append(tree.import_(batch, returns[name]))
        line = "  ".join(
            f"{step} old {seconds[step, 'old'][-1]:.2f} new {seconds[step, 'new'][-1]:.2f}"
            for step in STEPS
        )
        print(f"round {round_ + 1}: {line}", flush=True)
    for step in STEPS:
        pairs = zip(seconds[step, "old"], seconds[step, "new"], strict=True)
        ratios = [new / old for old, new in pairs]
        print(
            f"{step}: median new/old {statistics.median(ratios):.3f} over {len(ratios)} rounds "
            f"(ratios {', '.join(f'{r:.2f}' for r in ratios)}; median old "
            f"{statistics.median(seconds[step, 'old']):.2f} s, new "
            f"{statistics.median(seconds[step, 'new']):.2f} s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
