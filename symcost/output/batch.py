"""Many DAGs in one run: one task per file (and, for ``eval``, per hardware preset and batch
range), run in a local process pool or on a Dask cluster, one record per task.

A record is plain JSON data: ``file``, ``command``, ``ok``, ``error`` (one line, or
null), ``nodes``, ``complete``, ``runtime`` and the command's own JSON output under
``result`` (exactly what ``symcost COMMAND FILE --format json`` prints for that file).
Records come back in input order and hold no timing unless asked (``timings=True`` adds
``seconds``), so the JSON Lines of a run are byte-identical between runs, between pool
sizes and between the local pool and Dask. A file that cannot be read or analysed is one
record with its error, never the end of the run.

The command line (``symcost analyze|info|eval FILE... --jobs N [--scheduler ADDRESS]``)
only parses options into :class:`Task` objects; everything else is here.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from symcost.core.errors import InputError, SymcostError

#: File extensions a directory argument contributes (the readers' extensions).
DAG_EXTENSIONS = (".dot", ".gv", ".yaml", ".yml", ".json")
#: Commands a task may run.
COMMANDS = ("analyze", "info", "eval")
#: Columns of the summary table, in order (``hw`` and ``batch`` only for ``eval``).
SUMMARY_COLUMNS = ("file", "nodes", "complete", "runtime", "error")


@dataclass(frozen=True)
class Task:
    """One unit of work: ``command`` on ``file`` with plain, picklable options.

    ``load`` holds :func:`symcost.load` options; ``options`` the command's own
    (analyze: ``concurrency``, ``assume``, ``no_comm``, ``hw``, ``table``, ``dtype``,
    ``batch``; eval: :meth:`symcost.models.Machine.from_options` arguments plus
    ``batch``, ``concurrency``, ``assume``, ``compute_only``, ``set``).
    """

    command: str
    file: str
    load: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)


def expand_inputs(paths: Sequence[str]) -> list[str]:
    """Files in the order given; a directory contributes its DAG files (recursively, sorted
    by path). A path that does not exist stays in the list (its record carries the error)."""
    out: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            found = sorted(str(f) for f in Path(p).rglob("*")
                           if f.suffix.lower() in DAG_EXTENSIONS and f.is_file())
            if not found:
                raise InputError(f"{p}: no DAG files ({', '.join(DAG_EXTENSIONS)}) in this "
                                 "folder")
            out.extend(found)
        else:
            out.append(p)
    return out


# ------------------------------------------------------------------ one task


def run_task(task: Task, timings: bool = False) -> dict:
    """The record of one task (never raises for a bad file; interrupts propagate)."""
    t0 = time.perf_counter()
    rec: dict = {"file": task.file, "command": task.command}
    if task.command == "eval":
        rec["hw"] = task.options.get("table") or task.options.get("hw")
        rec["batch"] = task.options.get("batch")
    rec.update({"ok": False, "error": None, "nodes": None, "complete": None,
                "runtime": None, "result": None})
    try:
        if task.command not in COMMANDS:
            raise InputError(f"unknown batch command {task.command!r}")
        _RUNNERS[task.command](task, rec)
        rec["ok"] = True
    except SymcostError as err:
        rec["error"] = _one_line(str(err))
    except (KeyboardInterrupt, SystemExit):
        raise
    except RecursionError:
        rec["error"] = f"{task.file}: internal error: recursion too deep"
    except Exception as err:  # a bug must not end a run over many files; it is reported
        rec["error"] = _one_line(f"{task.file}: internal error: {type(err).__name__}: {err}")
    if timings:
        rec["seconds"] = round(time.perf_counter() - t0, 3)
    return rec


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _completeness(result: object) -> bool | None:
    c = getattr(result, "completeness", None)
    return None if c is None else bool(getattr(c, "complete", c))


def _run_analyze(task: Task, rec: dict) -> None:
    from symcost.output.crossovers import model_crossovers
    from symcost.output.formats import report_data
    from symcost.read.loader import load
    from symcost.solve.analysis import analyze
    from symcost.solve.completeness import require_runtime

    o = task.options
    dag = load(task.file, **task.load)
    result = analyze(dag, o.get("concurrency", "device"), o.get("assume", ()),
                     communication=not o.get("no_comm", False))
    require_runtime(result.completeness, task.file)
    crossovers = None
    if o.get("hw") or o.get("table"):
        crossovers = model_crossovers(result, hw=o.get("hw"), table=o.get("table"),
                                      dtype=o.get("dtype", "bf16"),
                                      batch=o.get("batch", "1:4096"))
    data = report_data(result, crossovers)
    rec.update(nodes=len(dag.nodes), complete=_completeness(result),
               runtime=data["runtime"], result=data)


def _run_info(task: Task, rec: dict) -> None:
    from symcost.output.info import dag_info
    from symcost.read.loader import load

    dag = load(task.file, **task.load)
    rec.update(nodes=len(dag.nodes), result=dag_info(dag))


def _run_eval(task: Task, rec: dict) -> None:
    from symcost.algebra.printing import to_text
    from symcost.models import Machine
    from symcost.models.evaluate import parse_batches
    from symcost.read.loader import load
    from symcost.solve.analysis import analyze

    o = task.options
    batches = parse_batches(o.get("batch", "1:4096"))
    machine = Machine.from_options(**o.get("machine", {}))
    dag = load(task.file, **task.load)
    result = analyze(dag, o.get("concurrency", "device"), o.get("assume", ()))
    data = _eval_data(task.file, dag, result, machine, batches, o)
    expr = result.runtime_compute_only if o.get("compute_only") else result.runtime
    rec.update(nodes=len(dag.nodes), complete=_completeness(result), runtime=to_text(expr),
               result=data)


def _eval_data(file: str, dag, result, machine, batches, o: dict) -> dict:
    """What ``symcost eval FILE --format json`` prints (the same function builds both)."""
    from symcost.output.evaluation import evaluate_dag

    return evaluate_dag(file, dag, result, machine, batches,
                        concurrency=o.get("concurrency", "device"),
                        compute_only=bool(o.get("compute_only", False)),
                        sets=o.get("set", ()), efficiency_given=o.get("efficiency_given"),
                        table=o.get("table")).to_dict()


_RUNNERS: dict[str, Callable[[Task, dict], None]] = {
    "analyze": _run_analyze, "info": _run_info, "eval": _run_eval}


# ------------------------------------------------------------------ many tasks


def default_jobs() -> int:
    """The default pool size: the CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def run_batch(tasks: Sequence[Task], *, jobs: int | None = None, scheduler: object = None,
              timings: bool = False, progress: bool | None = None) -> list[dict]:
    """The records of ``tasks``, in their order.

    ``jobs``: local worker processes (default: the core count; 1 runs in this process).
    ``scheduler``: a Dask scheduler address (``tcp://host:8786``) or a
    ``distributed.Client``; the same tasks then run on that cluster (the DAG files must be
    readable at the same paths on its workers). ``progress``: a progress bar on stderr
    (default: only when stderr is a terminal).
    """
    tasks = list(tasks)
    if progress is None:
        progress = sys.stderr.isatty()
    bar = _progress_bar(len(tasks), progress)
    try:
        if scheduler is not None:
            records = _run_dask(tasks, scheduler, timings, bar.update)
        else:
            records = _run_local(tasks, jobs or default_jobs(), timings, bar.update)
    finally:
        bar.close()
    return records


def _progress_bar(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="file", file=sys.stderr, disable=not enabled,
                dynamic_ncols=True, leave=False)


def _largest_first(tasks: Sequence[Task]) -> list[int]:
    """Submission order: big files first, so the pool does not end on one long task."""
    def size(i: int) -> int:
        try:
            return os.path.getsize(tasks[i].file)
        except OSError:
            return 0
    return sorted(range(len(tasks)), key=lambda i: (-size(i), i))


def _run_local(tasks: list[Task], jobs: int, timings: bool,
               tick: Callable[[], object]) -> list[dict]:
    records: list[dict | None] = [None] * len(tasks)
    if jobs <= 1 or len(tasks) <= 1:
        for i, t in enumerate(tasks):
            records[i] = run_task(t, timings)
            tick()
        return records  # type: ignore[return-value]
    lost = _pool_round(tasks, _largest_first(tasks), jobs, timings, tick, records)
    for i in lost:  # a worker died (crash, memory): the rest run one per process,
        records[i] = _isolated(tasks[i], timings)  # so only the culprit fails
        tick()
    return records  # type: ignore[return-value]


def _pool_round(tasks: list[Task], order: list[int], jobs: int, timings: bool,
                tick: Callable[[], object], records: list) -> list[int]:
    """Run ``order`` in one pool; returns the tasks lost when a worker died."""
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(order)))
    lost: list[int] = []
    try:
        futures = {pool.submit(run_task, tasks[i], timings): i for i in order}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                records[i] = fut.result()
            except BrokenProcessPool:
                lost.append(i)
                continue
            tick()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return sorted(lost)


def _isolated(task: Task, timings: bool) -> dict:
    with ProcessPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(run_task, task, timings).result()
        except BrokenProcessPool:
            return run_task_error(task, "the worker process died (a crash or out of memory)")


def run_task_error(task: Task, message: str) -> dict:
    """The record of a task that could not run at all (same keys as :func:`run_task`)."""
    rec: dict = {"file": task.file, "command": task.command}
    if task.command == "eval":
        rec["hw"] = task.options.get("table") or task.options.get("hw")
        rec["batch"] = task.options.get("batch")
    rec.update({"ok": False, "error": _one_line(f"{task.file}: {message}"), "nodes": None,
                "complete": None, "runtime": None, "result": None})
    return rec


def _run_dask(tasks: list[Task], scheduler: object, timings: bool,
              tick: Callable[[], object]) -> list[dict]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise InputError("--scheduler needs Dask: pip install 'symcost[dask]'") from None
    own = not isinstance(scheduler, Client)
    try:
        client = Client(scheduler, timeout="20s") if own else scheduler
    except OSError as err:
        raise InputError(f"cannot reach the Dask scheduler {scheduler}: {err}") from None
    try:
        order = _largest_first(tasks)
        run = uuid.uuid4().hex  # keys unique per run: two runs may share a cluster
        futures = client.map(run_task, [tasks[i] for i in order], timings=timings,
                             pure=False, key=[f"symcost-{run}-{i}" for i in order])
        index = {f.key: i for f, i in zip(futures, order)}
        records: list[dict | None] = [None] * len(tasks)
        for fut in dask_completed(futures):
            i = index[fut.key]
            try:
                records[i] = fut.result()
            except Exception as err:  # a worker lost, a task that could not run there
                records[i] = run_task_error(tasks[i], f"worker failed: {type(err).__name__}: "
                                                      f"{err}")
            tick()
        return records  # type: ignore[return-value]
    finally:
        if own:
            client.close()


# ------------------------------------------------------------------ output


def records_jsonl(records: Iterable[dict]) -> str:
    """JSON Lines: one record a line, keys in record order."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def summary_rows(records: Iterable[dict]) -> list[dict[str, str]]:
    """The summary table as rows of strings (empty cells for what is unknown)."""
    rows = []
    for r in records:
        row = {"file": r["file"]}
        if r.get("command") == "eval":
            row["hw"] = "" if r.get("hw") is None else str(r["hw"])
            row["batch"] = "" if r.get("batch") is None else str(r["batch"])
        row["nodes"] = "" if r.get("nodes") is None else str(r["nodes"])
        c = r.get("complete")
        row["complete"] = "" if c is None else ("yes" if c else "no")
        row["runtime"] = r.get("runtime") or ""
        row["error"] = r.get("error") or ""
        if "seconds" in r:
            row["seconds"] = f"{r['seconds']:.3f}"
        rows.append(row)
    return rows


def _columns(rows: list[dict[str, str]]) -> list[str]:
    cols: list[str] = []
    for row in rows:
        cols.extend(k for k in row if k not in cols)
    return cols or list(SUMMARY_COLUMNS)


def summary_csv(records: Iterable[dict]) -> str:
    """The summary table as CSV (header row first)."""
    rows = summary_rows(records)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=_columns(rows), lineterminator="\n", restval="")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def summary_markdown(records: Iterable[dict]) -> str:
    """The summary table as Markdown (through the ``batch_summary.md.j2`` template)."""
    from symcost.output.render import render

    records = list(records)
    rows = summary_rows(records)
    return render("batch_summary.md.j2", columns=_columns(rows), rows=rows,
                  total=len(records), ok=sum(1 for r in records if r["ok"]))


def summary_text(records: Sequence[dict]) -> str:
    """A one-line account of the run: tasks, how many succeeded, how many failed."""
    ok = sum(1 for r in records if r["ok"])
    return f"{len(records)} tasks, {ok} ok, {len(records) - ok} failed"


def write_summary(records: Sequence[dict], path: str) -> None:
    """Write the summary table to ``path``: CSV for ``.csv``, else Markdown (atomically)."""
    from symcost.core.files import write_output

    text = summary_csv(records) if path.lower().endswith(".csv") else summary_markdown(records)
    write_output(text, path)


__all__ = ["Task", "expand_inputs", "run_task", "run_batch", "default_jobs", "records_jsonl",
           "summary_rows", "summary_csv", "summary_markdown", "summary_text", "write_summary",
           "DAG_EXTENSIONS"]
