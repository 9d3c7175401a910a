"""`python -m batch_ship` runs the CLI."""

from batch_ship.cli import main

if __name__ == "__main__":  # not when a worker process imports this module as __mp_main__
    main(prog_name="batch-ship")
