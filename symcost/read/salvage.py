"""``--salvage``: recover the statements of a DOT file that Graphviz refuses.

Real DAG files are truncated inside a label, end in a stray non-DOT fragment, carry
pseudo-code between statements or lack the ``digraph`` header. Recovery is line-based on
top of Graphviz: lines are grouped into statements (a statement ends when its quotes and
brackets balance), each statement is kept only if Graphviz parses it on its own, subgraph
braces are kept and closed at the end, and a missing header is supplied. What was dropped
is returned so that the reader can mark the result salvaged.
"""

from __future__ import annotations

import re
import warnings

from symcost.core.errors import InputError

_HEADER = re.compile(r"^\s*(?:strict\s+)?(?:di)?graph\b[^{\"]*(?:\"[^\"]*\"[^{]*)?\{\s*(.*)$")
_OPEN = re.compile(r"^\s*(?:subgraph\b[^{\"]*)?\{\s*(.*)$")
_CLOSE = re.compile(r"^\s*\}\s*;?\s*$")
_MAX_STATEMENT_LINES = 200


def _scan(text: str) -> tuple[bool, int, int, int]:
    """One pass outside quotes: (quote left open, ``[ ]`` depth, ``< >`` depth of
    HTML-like labels, unmatched ``{`` minus ``}``)."""
    quote = False
    depth = angle = braces = 0
    last = ""  # the last non-blank character before i (linear, no prefix copies)
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == '"':
                quote = False
        elif c == '"':
            quote = True
        elif c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == "{":
            braces += 1
        elif c == "}":
            braces -= 1
        elif c == "<" and (angle > 0 or last == "="):
            angle += 1  # an HTML-like label: label=<...>
        elif c == ">" and angle > 0 and (i == 0 or text[i - 1] != "-"):
            angle -= 1
        if not c.isspace():
            last = c
        i += 1
    return quote, depth, angle, braces


def _balanced(text: str) -> bool:
    """Quotes closed and ``[ ]`` / ``< >`` balanced outside quotes."""
    quote, depth, angle, _ = _scan(text)
    return not quote and depth <= 0 and angle <= 0


def _braces(text: str) -> int:
    """Unmatched ``{`` minus ``}`` outside quotes."""
    return _scan(text)[3]


def _strip_comments(line: str) -> str:
    if line.lstrip().startswith(("//", "#")):
        return ""
    return line


def _parses(stmt: str) -> bool:
    import pygraphviz

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            pygraphviz.AGraph(string="digraph salvage_check {\n" + stmt + "\n}\n")
        except Exception:  # noqa: BLE001 - pygraphviz raises DotError/ValueError/...
            return False
    return True


def salvage_text(text: str, err: InputError, file: str) -> tuple[str, list[str]]:
    """A DOT text made of the parts of ``text`` that parse, and what was done."""
    from symcost.read.dot.graphviz import captured_stderr

    done: list[str] = [err.message + (f" (line {err.line})" if err.line else "")]
    lines = text.splitlines()
    body: list[str] = []
    header: str | None = None
    stack: list[str] = []  # open braces: 'h' header, 'e' emitted subgraph, 'd' dropped
    buf: list[tuple[int, str]] = []
    dropped: list[int] = []
    in_block_comment = False
    with captured_stderr():
        for no, raw in enumerate(lines, 1):
            line = raw
            if in_block_comment or (not buf and line.lstrip().startswith("/*")):
                in_block_comment = "*/" not in line
                continue
            if not buf:
                line = _strip_comments(line)
                if not line.strip():
                    continue
                m = _HEADER.match(line)
                mo = _OPEN.match(line)
                if m and header is None and not stack:
                    header = line[: m.start(1)].rstrip()
                    stack.append("h")
                    if not m.group(1).strip():
                        continue
                    line = m.group(1)
                elif mo:
                    body.append(line[: mo.start(1)])
                    stack.append("e")
                    if not mo.group(1).strip():
                        continue
                    line = mo.group(1)
                elif _CLOSE.match(line):
                    if stack and stack.pop() == "e":
                        body.append(line)
                    continue
            buf.append((no, line))
            stmt = "\n".join(x for _, x in buf)
            if not _balanced(stmt) and len(buf) < _MAX_STATEMENT_LINES:
                continue
            if _parses(stmt):
                body.extend(x for _, x in buf)
            else:
                dropped.extend(n for n, _ in buf)
                stack.extend("d" * max(_braces(stmt), 0))
            buf = []
    dropped.extend(n for n, _ in buf)
    if header is None:
        header = "digraph salvaged {"
        done.append("no 'digraph' header: one was supplied")
    unclosed = stack.count("e")
    body.extend(["}"] * unclosed)
    if dropped:
        done.append(f"dropped {len(dropped)} line(s) that do not parse: "
                    + _ranges(dropped))
    if unclosed:
        done.append(f"closed {unclosed} unclosed subgraph(s)")
    out = header + "\n" + "\n".join(body) + "\n}\n"
    return out, done


def _ranges(nums: list[int]) -> str:
    nums = sorted(set(nums))
    parts: list[str] = []
    start = prev = nums[0]
    for n in nums[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"{start}" if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts[:8]) + (", ..." if len(parts) > 8 else "")


__all__ = ["salvage_text"]
