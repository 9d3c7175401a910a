"""Extract the messages into batch_ship/locale/batch_ship.pot, update each .po, compile the .mo."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "batch_ship" / "locale"
DOMAIN = "batch_ship"
TEMPLATE = LOCALE / f"{DOMAIN}.pot"
LANGUAGES = ("zh",)
# No source locations: they change with every edit elsewhere and would make each rebase a
# catalog conflict; the msgid is the key.
COMMON = ["--no-location", "--width", "100"]


def pybabel(*arguments: str) -> None:
    CommandLineInterface().run(["pybabel", "--quiet", *arguments])


def main() -> int:
    LOCALE.mkdir(exist_ok=True)
    pybabel(
        "extract",
        "--keyword", "N_",
        "--keyword", "ngettext:1,2",
        "--project", "batch-ship",
        "--copyright-holder", "batch_ship",
        "--sort-output",
        *COMMON,
        "--output-file", str(TEMPLATE),
        str(ROOT / "batch_ship"),
        # click's own messages (usage errors, help headings): the CLI routes them here too
        str(Path(click.__file__).parent),
    )  # fmt: skip
    for language in LANGUAGES:
        catalog = LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        command = "update" if catalog.exists() else "init"
        extra = ["--no-fuzzy-matching", "--ignore-obsolete"] if command == "update" else []
        pybabel(
            command,
            "--input-file", str(TEMPLATE),
            "--output-dir", str(LOCALE),
            "--domain", DOMAIN,
            "--locale", language,
            "--width", "100",
            *extra,
        )  # fmt: skip
    pybabel("compile", "--directory", str(LOCALE), "--domain", DOMAIN, "--statistics")
    return 0


if __name__ == "__main__":
    sys.exit(main())
