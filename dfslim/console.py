"""The `dfslim` command (and `python -m dfslim`): the click CLI, started for speed.

A pre-commit hook starts dfslim on every commit, and for one Dockerfile most of the run
is the interpreter starting and stopping. Measured in instructions on a one-file run
(`bench/README.md`), two interpreter settings take off about an eighth:

- the young generation of the garbage collector is collected every 50,000 allocations
  instead of every 700: loading click and the rules allocates a few hundred thousand
  long-lived objects, and collecting them again and again finds nothing to free;
- once the output is flushed, the process ends without the interpreter's teardown, which
  otherwise frees every module and object one by one. Files are written and closed, and
  worker processes joined, before `main` returns.
"""

from __future__ import annotations

import gc
import os
import sys

YOUNG_COLLECTION_THRESHOLD = 50_000


def run() -> None:
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD)
    from dfslim.cli import main

    try:
        main()
        status = 0
    except SystemExit as done:
        status = _exit_status(done.code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass  # the reader stopped early (`dfslim lint | head`): what it read is all it wanted
    except OSError:
        status = status or 2  # the report could not be written out
    os._exit(status)


def _exit_status(code: object) -> int:
    """The status `sys.exit(code)` would give."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1
