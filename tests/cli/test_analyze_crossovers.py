"""Crossovers of undecided Max terms in analyze's report under a cost model."""

import json

from conftest import run_cli

# Branch l: Get_Time(2048*B, 4096, 16384); branch r: 2*Get_Time(65536, 4096, 4096).
# Both are compute-bound on an H100 roofline near the crossing, so they are equal where
# 2*2048*B*4096*16384 = 2*2*65536*4096*4096, i.e. at B = 16 exactly (by hand) at any
# efficiency. The default h100 calibration adds a 6 us launch term per matmul (r has one
# more), which moves the crossing by 6e-6 * 0.77 * 989.5e12 / (2*2048*4096*16384).
SPEC = """
nodes:
  - {id: s}
  - {id: l, matmul: ['2048*B', 4096, 16384]}
  - {id: r1, matmul: [65536, 4096, 4096]}
  - {id: r2, matmul: [65536, 4096, 4096]}
  - {id: t}
edges:
  - [s, l, t]
  - [s, r1, r2, t]
"""


def test_crossover_in_json_and_markdown(tmp_path):
    spec = tmp_path / "x.yaml"
    spec.write_text(SPEC)
    proc = run_cli("analyze", str(spec), "--format", "json", "--hw", "h100", "--batch", "1:64")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    item, = data["crossovers"]["items"]
    import sympy

    hand = 16 + (sympy.Rational(6, 10**6) * sympy.Rational(77, 100) * 9895 * 10**11
                 / (2 * 2048 * 4096 * 16384))
    assert sympy.Rational(item["exact"]) == hand and (item["below"], item["above"]) == (16, 17)
    md = run_cli("analyze", str(spec), "--format", "md", "--hw", "h100", "--batch", "1:64")
    assert "### Crossovers under roofline h100" in md.stdout
    # the first integer B where the winner changes, the exact crossing beside
    assert f"to Get_Time(2048*B, 4096, 16384) at B = 17 (exact crossing at B = {hand} " \
        in md.stdout


def test_no_model_no_crossover_section(tmp_path):
    spec = tmp_path / "x.yaml"
    spec.write_text(SPEC)
    md = run_cli("analyze", str(spec), "--format", "md")
    assert md.returncode == 0 and "Crossovers" not in md.stdout
    js = json.loads(run_cli("analyze", str(spec), "--format", "json").stdout)
    assert "crossovers" not in js
