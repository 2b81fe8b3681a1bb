"""The console script (`matchmaker`) and `python -m matchmaker`.

Loading numpy, OR-Tools and the embedding backends takes a few seconds, and a Ctrl-C inside a C
extension's initialisation surfaces as an ImportError with a traceback. So while the command line is
imported, Ctrl-C is only noted; once the import is done, a noted Ctrl-C ends the command quietly with exit
130, like a Ctrl-C at any later moment (cli.py handles those), never with a traceback."""

from __future__ import annotations

import signal
import sys

EXIT_INTERRUPTED = 130  # as cli.EXIT_INTERRUPTED (not imported from there: that is what is guarded)


def main_exit() -> None:
    noted: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: noted.append(signum))
    try:
        from .cli import main
    finally:
        signal.signal(signal.SIGINT, previous)
    if noted:
        print("Interrupted while starting; nothing was written.", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    try:
        code = main()
    except KeyboardInterrupt:  # before the command line's own handlers were in place, or as they were removed
        print("Interrupted; nothing was written.", file=sys.stderr)
        code = EXIT_INTERRUPTED
    sys.exit(code)
