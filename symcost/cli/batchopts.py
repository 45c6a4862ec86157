"""Options of batch runs (several DAG files or a folder in one command), shared by
``analyze``, ``info`` and ``eval``. The work itself is :mod:`symcost.output.batch`."""

from __future__ import annotations

import argparse
import os
import sys

from symcost.core.errors import InputError
from symcost.core.exitcodes import BAD_INPUT, OK
from symcost.core.files import write_output
from symcost.output.batch import (
    Task,
    expand_inputs,
    records_jsonl,
    run_batch,
    summary_text,
    write_summary,
)

DAG_HELP = ("DAG file(s): .yaml/.yml/.json spec or .dot/.gv Graphviz; several files or a "
            "folder run as one batch (JSON Lines, one record per file)")


def add_batch_options(p: argparse.ArgumentParser) -> None:
    """``--jobs``, ``--scheduler``, ``--summary``, ``--timings``."""
    g = p.add_argument_group("batch runs (several files or a folder)")
    g.add_argument("--jobs", "-j", type=int, metavar="N",
                   help="worker processes (default: the number of cores)")
    g.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the tasks on a Dask cluster (tcp://host:8786; needs symcost[dask])")
    g.add_argument("--summary", action="append", default=[], metavar="FILE",
                   help="also write a summary table: FILE.csv as CSV, else Markdown "
                        "(repeatable)")
    g.add_argument("--timings", action="store_true",
                   help="add each task's seconds to its record and the summary")


def is_batch(args: argparse.Namespace, *, extra_tasks: bool = False) -> bool:
    """True when the command line asks for a batch run rather than one file."""
    dags = args.dag if isinstance(args.dag, list) else [args.dag]
    return (len(dags) > 1 or any(os.path.isdir(d) for d in dags) or extra_tasks
            or args.jobs is not None or args.scheduler is not None or bool(args.summary)
            or args.timings)


def run_tasks(args: argparse.Namespace, tasks: list[Task]) -> int:
    """Run ``tasks``, write the JSON Lines (``-o`` or stdout) and summaries; the exit status
    is 0 when every task succeeded, 2 when some failed (each has its record)."""
    if args.jobs is not None and args.jobs < 1:
        raise InputError(f"--jobs {args.jobs}: expected at least 1")
    records = run_batch(tasks, jobs=args.jobs, scheduler=args.scheduler,
                        timings=args.timings)
    write_output(records_jsonl(records), getattr(args, "output", None))
    for path in args.summary:
        write_summary(records, path)
    failed = sum(1 for r in records if not r["ok"])
    if failed or sys.stderr.isatty():
        print(f"symcost: {summary_text(records)}", file=sys.stderr)
    return BAD_INPUT if failed else OK


def files(args: argparse.Namespace) -> list[str]:
    """The DAG files of the command line (folders expanded)."""
    return expand_inputs(args.dag if isinstance(args.dag, list) else [args.dag])
