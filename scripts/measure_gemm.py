#!/usr/bin/env python3
"""Measure GEMM times with PyTorch and write the CSV that ``symcost eval --table`` reads.

The shapes form a full grid (every m with every k and every n), as the table model
requires. Each shape is timed as the median of ``--repeat`` runs after ``--warmup``
runs, synchronising the device around each run. Output columns: ``m,k,n,seconds,dtype``;
``#`` lines record the device, PyTorch version and settings.

Examples::

    python scripts/measure_gemm.py --quick                       # tiny CPU-friendly grid
    python scripts/measure_gemm.py --dtype bf16 -o h100_bf16.csv # default grid, GPU if any
    python scripts/measure_gemm.py --from-dag examples/ma_separation.yaml --batch 1,8,64

Needs PyTorch (``pip install 'symcost[torch]'``); nothing else in symcost does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

QUICK = {"m": [1, 16, 64], "k": [64, 128], "n": [64, 128]}
DEFAULT = {"m": [1, 16, 128, 1024, 4096, 16384], "k": [128, 512, 2048, 4096, 16384],
           "n": [16, 128, 512, 2048, 4096, 16384]}
DTYPES = {"fp32": "float32", "tf32": "float32", "bf16": "bfloat16", "fp16": "float16"}


def _ints(text: str) -> list[int]:
    try:
        vals = sorted({int(float(x)) for x in text.split(",") if x.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not vals or vals[0] < 1:
        raise argparse.ArgumentTypeError("dimensions must be integers >= 1")
    return vals


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-o", "--output", help="CSV file (default: stdout)")
    p.add_argument("--device", default="auto", help="auto (cuda, then mps, then cpu), cuda, "
                   "cuda:1, mps or cpu")
    p.add_argument("--dtype", default="bf16", help=f"one of {', '.join(DTYPES)} "
                   "(comma list allowed)")
    p.add_argument("--m", type=_ints, help="comma list of m values")
    p.add_argument("--k", type=_ints, help="comma list of k values")
    p.add_argument("--n", type=_ints, help="comma list of n values")
    p.add_argument("--quick", action="store_true", help="tiny grid (3 x 2 x 2), for a smoke test")
    p.add_argument("--from-dag", metavar="DAG", help="take the m, k, n values of the DAG's "
                   "Get_Time atoms at the batch sizes of --batch")
    p.add_argument("--batch", default="1,8,64", help="batch sizes for --from-dag")
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    return p.parse_args(argv)


def shapes_from_dag(path: str, batches: list[int]) -> dict[str, list[int]]:
    """Distinct m, k, n of the DAG's matmul atoms at the given batch sizes."""
    import sympy

    import symcost
    from symcost.core.symbols import B, Get_Time

    dag = symcost.load(path)
    dims: dict[str, set[int]] = {"m": set(), "k": set(), "n": set()}
    for node in dag.nodes:
        for atom in node.cost.atoms(Get_Time):
            for b in batches:
                vals = [a.subs(B, b) for a in atom.args]
                if all(isinstance(v, sympy.Integer) for v in vals):
                    for key, v in zip("mkn", vals):
                        dims[key].add(int(v))
    if not dims["m"]:
        raise SystemExit(f"measure_gemm.py: {path} has no numeric Get_Time atoms")
    return {k: sorted(v) for k, v in dims.items()}


def pick_device(torch, name: str):
    if name != "auto":
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def sync(torch, device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def time_gemm(torch, device, dtype, m: int, k: int, n: int, repeat: int, warmup: int) -> float:
    a = torch.randn(m, k, device=device, dtype=dtype)
    b = torch.randn(k, n, device=device, dtype=dtype)
    for _ in range(warmup):
        torch.matmul(a, b)
    sync(torch, device)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        torch.matmul(a, b)
        sync(torch, device)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import torch
    except ImportError:
        print("measure_gemm.py: PyTorch is not installed; install it with "
              "pip install 'symcost[torch]' (or see https://pytorch.org)", file=sys.stderr)
        return 2
    grid = dict(QUICK if args.quick else DEFAULT)
    if args.from_dag:
        grid = shapes_from_dag(args.from_dag, _ints(args.batch))
    for key in "mkn":
        if getattr(args, key):
            grid[key] = getattr(args, key)
    dtypes = [d.strip().lower() for d in args.dtype.split(",")]
    bad = [d for d in dtypes if d not in DTYPES]
    if bad:
        print(f"measure_gemm.py: unsupported dtype {bad[0]!r}; use {', '.join(DTYPES)}",
              file=sys.stderr)
        return 2
    device = pick_device(torch, args.device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else device.type
    lines = [f"# measured with scripts/measure_gemm.py on {name}, torch {torch.__version__}, "
             f"median of {args.repeat} after {args.warmup} warm-up runs",
             "m,k,n,seconds,dtype"]
    total = len(grid["m"]) * len(grid["k"]) * len(grid["n"]) * len(dtypes)
    done = 0
    for dt in dtypes:
        if device.type == "cuda":
            torch.backends.cuda.matmul.allow_tf32 = dt == "tf32"
        tdtype = getattr(torch, DTYPES[dt])
        for m in grid["m"]:
            for k in grid["k"]:
                for n in grid["n"]:
                    sec = time_gemm(torch, device, tdtype, m, k, n, args.repeat, args.warmup)
                    lines.append(f"{m},{k},{n},{sec!r},{dt}")
                    done += 1
                    print(f"\r{done}/{total} shapes", end="", file=sys.stderr)
    print(file=sys.stderr)
    text = "\n".join(lines) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
