"""The old import path of sources/file_kinds.py, kept while tracking and daily are being split."""

# Removed once tracking/ and daily's split import batch_ship.sources.file_kinds (issue 14).
from batch_ship.sources.file_kinds import *  # noqa: F403
