"""`python -m batch_ship` runs the CLI."""

from batch_ship.cli import main

main(prog_name="batch-ship")
