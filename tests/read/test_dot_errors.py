"""Bad DOT input: one line on stderr, exit status 2, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from symcost.cli.main import main
from symcost.core.errors import CycleError, InputError
from symcost.read.dot.reader import read_dot

CYCLE = "digraph g {\n a [label=\"Linear\\nGPU: 0\"];\n a -> b;\n b -> c;\n c -> a;\n}\n"
BAD = {
    "empty": ("", "empty file"),
    "blank": ("  \n\n", "empty file"),
    "binary": (bytes(range(256)) * 4, "binary"),
    "latin1": ("digraph g { a [label=\"caf\xe9\"]; }".encode("latin-1"), "UTF-8"),
    "unterminated_label": ("digraph g {\n a [label=\"Linear\n b -> c;\n}\n",
                           "Graphviz: syntax error"),
    "syntax": ("digraph g {\n a -> ;\n}\n", "Graphviz: syntax error"),
    "fragment": ("  x [label=\"y\"];\n  x -> out_proj;\n}\n", "Graphviz: syntax error"),
    "cycle": (CYCLE, "cycle: a -> b -> c -> a"),
    "self_loop": ("digraph g { a -> a; }", "cycle"),
    "undirected": ("graph g { a -- b; }", "undirected"),
    "no_edges": ("digraph g { a; b; }", "no edges"),
    "no_nodes": ("digraph g { }", "no nodes"),
    "huge_label": ('digraph g { a [label="' + "x" * 50_000_000 + '"]; a -> b; }',
                   "Graphviz"),
}


#: Files ``info`` reads (to show what is there) although ``analyze`` refuses them.
INFO_READS = {"no_edges"}


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / f"{name}.dot"
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    return p


@pytest.mark.parametrize("name", list(BAD))
@pytest.mark.parametrize("command", ["info", "analyze"])
def test_cli_one_line_exit_2_nothing_written(tmp_path, capfd, name, command) -> None:
    if command == "info" and name in INFO_READS:
        pytest.skip("info reads this file (test_info_reads_edgeless_graphs)")
    content, expected = BAD[name]
    path = _write(tmp_path, name, content)
    out = tmp_path / "out.json"
    status = main([command, str(path), "--format", "json", "-o", str(out)])
    captured = capfd.readouterr()
    assert status == 2
    assert not out.exists()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err[:500]
    assert "Traceback" not in captured.err
    assert lines[0].startswith("symcost: error: ") and str(path) in lines[0]
    assert expected in lines[0]
    assert len(lines[0]) < 400


def test_syntax_error_names_the_line(tmp_path) -> None:
    path = _write(tmp_path, "syntax", "digraph g {\n a -> b;\n\n c -> ;\n}\n")
    with pytest.raises(InputError) as err:
        read_dot(path)
    assert err.value.line == 4 and "\n" not in str(err.value)


def test_cycle_error_lists_the_cycle(tmp_path) -> None:
    path = _write(tmp_path, "cycle", CYCLE)
    with pytest.raises(CycleError) as err:
        read_dot(path)
    assert err.value.cycle == ["a", "b", "c"]
    assert err.value.file == str(path)


def test_graphviz_output_does_not_leak(tmp_path, capfd) -> None:
    path = _write(tmp_path, "bad", "digraph g {\n a -> ;\n}\n")
    with pytest.raises(InputError):
        read_dot(path)
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_missing_file(tmp_path, capfd) -> None:
    assert main(["info", str(tmp_path / "nope.dot")]) == 2
    assert "no such file" in capfd.readouterr().err


def test_info_reads_edgeless_graphs(tmp_path, capfd) -> None:
    """A graph with neither edges nor GPUs: analyze refuses it, info reads every node and
    says what is missing."""
    path = _write(tmp_path, "no_edges", BAD["no_edges"][0])
    out = tmp_path / "info.json"
    assert main(["info", str(path), "--format", "json", "-o", str(out)]) == 0
    import json

    data = json.loads(out.read_text())
    assert data["nodes"] == 2 and data["edges"] == 0
    assert data["completeness"]["edgeless"] and not data["completeness"]["complete"]
    assert [g["code"] for g in data["diagnostic_groups"]].count("no-edges") == 1
    assert "no edges" in capfd.readouterr().err


def test_info_reads_edgeless_graph(tmp_path, capfd) -> None:
    """issue 10: ``info`` shows how the nodes of an edge-less graph were read."""
    import json

    path = _write(tmp_path, "edgeless.dot", 'digraph g { a [label="MLP\\nInput: [4, 8, 16]\\n'
                  'Output: [4, 8, 16]"]; b [label="Output"]; }')
    assert main(["info", str(path), "--format", "json"]) == 0
    data = json.loads(capfd.readouterr().out)
    assert data["edges"] == 0 and data["nodes"] == 2
    assert any(d["code"] == "no-edges" for d in data["diagnostics"])
    assert {m["node"] for m in data["matmuls"]} == {"a"}


GRAPH = 'digraph g {\n a [label="Linear\\nInput: [1024, 4096]\\nOutput: [1024, 4096]"];\n a -> b;\n}\n'


@pytest.mark.parametrize("how", ["option", "env", "api"])
def test_size_limit_is_a_setting(tmp_path, capfd, monkeypatch, how) -> None:
    path = _write(tmp_path, "small", GRAPH)
    size = path.stat().st_size
    monkeypatch.delenv("SYMCOST_MAX_BYTES", raising=False)
    if how == "api":
        with pytest.raises(InputError, match=f"more than the {size - 1} byte limit"):
            read_dot(path, max_bytes=size - 1)
        assert len(read_dot(path, max_bytes=size).nodes) == 2
        return
    low = ["--max-bytes", str(size - 1)] if how == "option" else []
    if how == "env":
        monkeypatch.setenv("SYMCOST_MAX_BYTES", str(size - 1))
    status = main(["info", str(path), "--format", "json", *low])
    lines = capfd.readouterr().err.splitlines()
    assert status == 2 and len(lines) == 1
    assert f"more than the {size - 1} byte limit" in lines[0] and "--max-bytes" in lines[0]
    if how == "env":
        monkeypatch.setenv("SYMCOST_MAX_BYTES", "1k")  # 1024 bytes: enough
    status = main(["info", str(path), "--format", "json", *(["--max-bytes", "1k"] if low else [])])
    capfd.readouterr()
    assert status == 0


@pytest.mark.parametrize("bad", ["0", "-5", "12 parsecs", "1e9"])
def test_size_limit_must_be_a_size(tmp_path, capfd, bad) -> None:
    path = _write(tmp_path, "small", GRAPH)
    status = main(["info", str(path), "--max-bytes", bad])
    lines = capfd.readouterr().err.splitlines()
    assert status == 2 and len(lines) == 1 and "--max-bytes" in lines[0]
