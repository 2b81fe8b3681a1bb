"""The console script (`matchmaker`) and `python -m matchmaker`: the command line is imported inside a
guard, so Ctrl-C while numpy, OR-Tools and the embedding backends load (a few seconds) ends quietly
with exit 130, like a Ctrl-C at any later moment, never with a traceback."""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130  # as cli.EXIT_INTERRUPTED (not imported from there: that is what is guarded)


def main_exit() -> None:
    try:
        from .cli import main

        code = main()
    except KeyboardInterrupt:  # before the command line's own handlers were in place
        print("Interrupted while starting; nothing was written.", file=sys.stderr)
        code = EXIT_INTERRUPTED
    sys.exit(code)
