"""Benchmark: a whole corpus in one command (``symcost analyze DIR... --jobs N``).

The shared corpus (``../shared/corpus``, 30 files, some deliberately broken) plus 700
generated deployment DOT files (:func:`deployments.deployment_dot`, 1-3 layers x 2-24 GPUs,
about 20 to 900 nodes each, written to a temporary folder, not kept), analysed by one
``symcost analyze`` process with ``--jobs`` = the core count, JSON Lines and a CSV
summary written at the end. Beside it: one process per file, as before batch runs, timed
on a sample of files and scaled to the whole set (marked as an estimate). Target: under
4 minutes on 2 cores.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (str(HERE), str(ROOT)):
    if p not in sys.path:
        sys.path.insert(0, p)

GENERATED = 700
SAMPLE = 12


def _generate(folder: Path, count: int) -> None:
    from deployments import deployment_dot

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        layers, gpus = 1 + i % 3, 2 + (i * 7) % 23
        (folder / f"gen_{i:04d}_{layers}x{gpus}.dot").write_text(
            deployment_dot(layers, gpus, skewed=i % 2 == 0))


def run(quick: bool = False) -> list[dict[str, object]]:
    """Time one batch command over the corpus and the generated files."""
    jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    count = 100 if quick else GENERATED
    corpus = ROOT.parent / "shared" / "corpus"
    with tempfile.TemporaryDirectory() as tmp:
        gen = Path(tmp) / "generated"
        _generate(gen, count)
        inputs = [str(gen)]
        n_corpus = 0
        if corpus.is_dir():
            shutil.copytree(corpus, Path(tmp) / "corpus",
                            ignore=shutil.ignore_patterns("*.md", "*.tsv", "gold", "analyses"))
            inputs.insert(0, str(Path(tmp) / "corpus"))
            n_corpus = len(list((Path(tmp) / "corpus").glob("*.dot")))
        out, summary = Path(tmp) / "records.jsonl", Path(tmp) / "summary.csv"
        cmd = [sys.executable, "-m", "symcost", "analyze", *inputs, "--jobs", str(jobs),
               "-o", str(out), "--summary", str(summary)]
        t0 = time.perf_counter()
        got = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        lines = out.read_text().splitlines() if out.exists() else []
        failed = sum('"ok": false' in line for line in lines)
        files = sorted(gen.glob("*.dot"))
        sample = files[:: max(1, len(files) // SAMPLE)][:SAMPLE]
        t1 = time.perf_counter()
        for f in sample:
            subprocess.run([sys.executable, "-m", "symcost", "analyze", str(f), "--format",
                            "json", "-o", os.devnull], capture_output=True, cwd=ROOT)
        per_file = (time.perf_counter() - t1) / len(sample)
    total = len(lines)
    return [
        {"name": f"analyze {n_corpus} corpus + {count} generated files, --jobs {jobs}",
         "nodes": None, "seconds": round(wall, 3),
         "notes": f"exit {got.returncode}; {total} records ({failed} with an error, the "
                  f"corpus's broken files); peak RSS of one process {peak:.0f} MiB; "
                  f"{total / wall:.1f} files/s; target < 240 s"},
        {"name": "one process per file (estimate)", "nodes": None,
         "seconds": round(per_file * total, 3),
         "notes": f"{per_file:.2f} s per file (start-up + read + analyze + JSON), mean of "
                  f"{len(sample)} generated files, times {total} files"},
    ]


if __name__ == "__main__":  # pragma: no cover
    for row in run(quick="--quick" in sys.argv):
        print(row)
