"""Exit statuses of every ``symcost`` command (documented in the README's table).

One table for all commands: the command line maps results and errors to these, and
scripts can rely on them.
"""

from __future__ import annotations

#: The command did what was asked (for ``compare``/``check``: the verdict is the success
#: case the command documents).
OK = 0
#: ``compare``/``check``: a verdict other than the success case (e.g. a claim that is not
#: equal to the derived runtime).
VERDICT = 1
#: Bad input: a file, expression, option or output path the user gave (one line on stderr,
#: nothing written).
BAD_INPUT = 2
#: ``--strict``: the result is incomplete (symbols or unknown atoms for sizes the DAG does
#: not give, elided parts).
INCOMPLETE = 3
#: A bug in symcost itself (an internal error, never caused by input); the message says so.
INTERNAL = 70
#: Interrupted (SIGINT), like a shell's 128 + 2.
INTERRUPTED = 130

__all__ = ["OK", "VERDICT", "BAD_INPUT", "INCOMPLETE", "INTERNAL", "INTERRUPTED"]
