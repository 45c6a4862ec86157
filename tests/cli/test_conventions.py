"""The command line follows the conventions: -o picks the format from the extension,
binary output refuses a terminal, every option's help gives its default, examples in
--help, usage for bare `symcost`, unknown symbols are errors, one exit-status table."""

from __future__ import annotations

import argparse
import io
import json

import pytest

import symcost
from symcost.cli import main as cli_main
from symcost.core import exitcodes

from conftest import ROOT, run_cli

EX = "examples/ma_separation.yaml"


@pytest.mark.parametrize("name, fmt, probe", [
    ("r.md", None, "# DAG Runtime Analysis"),
    ("r.tex", None, "\\documentclass"),
    ("r.json", None, '"kind": "analysis"'),
    ("r.txt", None, "runtime (compute only)"),
    ("r.md", "json", '"kind": "analysis"'),      # --format wins over the extension
])
def test_output_format_from_extension(tmp_path, name, fmt, probe):
    out = tmp_path / name
    args = ["analyze", EX, "-o", str(out)] + (["--format", fmt] if fmt else [])
    assert cli_main.main(args) == exitcodes.OK
    assert probe in out.read_text()


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True

    @property
    def buffer(self):  # pragma: no cover - must not be reached
        raise AssertionError("binary written to a terminal")


def test_binary_format_refuses_a_terminal(monkeypatch, capsys):
    pytest.importorskip("pygraphviz")
    monkeypatch.setattr("sys.stdout", _Tty())
    assert cli_main.main(["analyze", EX, "--format", "png"]) == exitcodes.BAD_INPUT
    assert "terminal" in capsys.readouterr().err


def _options():
    parser = cli_main.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, p in sub.choices.items():
        fmt = p._get_formatter()
        for action in p._actions:
            if action.option_strings and action.dest != "help":
                yield name, action, fmt._get_help_string(action)


def test_every_option_has_help_with_its_default():
    for name, action, text in _options():
        assert action.help, f"{name} {action.option_strings}: no help"
        if action.default not in (None, False, [], argparse.SUPPRESS):
            assert "default" in text.lower(), f"{name} {action.option_strings}: {text}"


def test_help_has_examples_and_bare_symcost_prints_usage():
    p = run_cli("--help")
    assert p.returncode == 0 and "examples:" in p.stdout and "exit status" in p.stdout
    p = run_cli()
    assert p.returncode == exitcodes.BAD_INPUT and p.stderr.startswith("usage: symcost")


@pytest.mark.parametrize("args, option", [
    (["analyze", EX, "--assume", "X>=3"], "--assume"),
    (["check", EX, "--claim", "Get_Time(B, 1, 1)", "--assume", "Zeta<=4"], "--assume"),
    (["eval", EX, "--set", "Foo=3"], "--set"),
])
def test_unknown_symbols_are_errors_naming_the_known(args, option, capsys):
    assert cli_main.main(args) == exitcodes.BAD_INPUT
    err = capsys.readouterr().err
    assert option in err and "unknown symbol" in err and "the DAG uses B" in err


@pytest.mark.parametrize("a, b, status", [
    ("2*Get_Time(B, 1, 1)", "Get_Time(B, 1, 1)", exitcodes.OK),        # >=
    ("Get_Time(B, 1, 1)", "Get_Time(B, 1, 1)", exitcodes.OK),          # ==
    ("Get_Time(B, 1, 1)", "2*Get_Time(B, 1, 1)", exitcodes.VERDICT),   # <=
    ("Get_Time(B, 1, 1)", "Get_Time(1, B, 1)", exitcodes.VERDICT),     # incomparable
])
def test_compare_exit_status(a, b, status, capsys):
    assert cli_main.main(["compare", a, b]) == status


def test_exit_statuses_of_check_bad_input_and_bugs(monkeypatch, capsys):
    derived = symcost.to_text(symcost.analyze(symcost.load(str(ROOT / EX)))
                              .runtime_compute_only)
    assert cli_main.main(["check", EX, "--claim", derived]) == exitcodes.OK
    assert cli_main.main(["check", EX, "--claim", "Get_Time(B, 1, 1)"]) == exitcodes.VERDICT
    assert cli_main.main(["analyze", "no/such/file.yaml"]) == exitcodes.BAD_INPUT

    def boom(args):
        raise RuntimeError("kaput")

    monkeypatch.setattr("symcost.cli.info.run", boom)
    assert cli_main.main(["info", EX]) == exitcodes.INTERNAL
    assert "internal error" in capsys.readouterr().err


def test_check_term_diff_respects_pinned_assumptions(tmp_path):
    spec = tmp_path / "one.yaml"
    spec.write_text("name: one\nnodes:\n  - {id: a, cost: 'Get_Time(2048*B, 4096, 512)', "
                    "devices: [0]}\n")
    p = run_cli("check", str(spec), "--claim", "Get_Time(2097152, 4096, 512)",
                "--assume", "B==1024", "--format", "json")
    doc = json.loads(p.stdout)
    assert p.returncode == exitcodes.OK, p.stdout + p.stderr
    assert doc["verdict"] == "equal" and doc["missing"] == [] and doc["extra"] == []


def test_eval_names_branches_by_their_source_nodes():
    from symcost.cli.eval import branch_names
    from symcost.models import Machine
    from symcost.models.evaluate import evaluate_result

    b = symcost.DagBuilder("fork")
    b.node("s", kind="io")
    b.node("wide", cost=symcost.Get_Time(symcost.B, 4096, 4096), devices=[0])
    b.node("deep", cost=symcost.Get_Time(64, symcost.B, 64), devices=[1])
    b.node("t", kind="io")
    b.edge("s", "wide").edge("s", "deep").edge("wide", "t").edge("deep", "t")
    result = symcost.analyze(b.build())
    ev = evaluate_result(result, Machine.from_options(hw="h100"), [1, 8, 64])
    assert ev.branches
    names = branch_names(result, ev)
    assert set(names[ev.branches[0].index].values()) == {"branch from wide",
                                                          "branch from deep"}


def test_eval_prints_the_efficiency_it_assumed(capsys):
    assert cli_main.main(["eval", EX, "--batch", "1:4"]) == exitcodes.OK
    out = capsys.readouterr().out
    # the h100 bf16 preset's calibration (symcost/data/hardware.yaml): 77% of peak
    assert "efficiency: 77% of peak (the preset's calibration" in out
    assert "runtime [ms, 77% of peak]" in out
    assert cli_main.main(["eval", EX, "--batch", "1:4", "--efficiency", "0.5",
                          "--format", "csv"]) == exitcodes.OK
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].endswith(",efficiency") and all(r.endswith(",0.5") for r in rows[1:])
