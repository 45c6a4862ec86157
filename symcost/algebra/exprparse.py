"""A whitelist parser for expressions and constraints typed by users.

Nothing here calls ``eval`` or ``sympify`` on user text. The grammar is::

    expr   := term (('+' | '-') term)*
    term   := unary (('*' | '/' | '×') unary)*
    unary  := ('+' | '-') unary | power
    power  := primary (('**' | '^') unary)?
    primary:= NUMBER | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'

Names are declared symbols (``B`` and those of :func:`symcost.declare_symbol`), or new
identifiers, which become positive-integer symbols. Function calls are limited to
declared cost atoms (``Get_Time``, ``AllReduce``, ... and :func:`symcost.declare_atom`)
and ``Max`` / ``Min``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

import sympy
from sympy.core.parameters import distribute

from symcost.core.errors import ConstraintError, ExpressionError
from symcost.core.symbols import atom_kind, declare_symbol, symbol

MAX_TEXT = 1_000_000
MAX_DEPTH = 100

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|<=|>=|==|[-+*/^(),<>×·=])
""", re.VERBOSE)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


def _tokenize(text: str) -> list[_Tok]:
    if len(text) > MAX_TEXT:
        raise ExpressionError(f"expression too long ({len(text)} characters)")
    toks: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ExpressionError(f"unexpected character {text[pos]!r} at column {pos + 1} "
                                  f"in {_clip(text)!r}")
        kind = m.lastgroup or ""
        if kind != "ws":
            tok = m.group(kind)
            if tok in ("×", "·"):
                tok = "*"
            toks.append(_Tok(kind, tok, pos))
        pos = m.end()
    toks.append(_Tok("end", "", len(text)))
    return toks


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


class _Parser:
    def __init__(self, text: str, *, new_symbols: bool) -> None:
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0
        self.depth = 0
        self.new_symbols = new_symbols

    # -- helpers
    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, text: str) -> None:
        tok = self.take()
        if tok.text != text:
            self.fail(f"expected {text!r}", tok)

    def fail(self, what: str, tok: _Tok | None = None) -> None:
        tok = tok or self.peek()
        found = "end of text" if tok.kind == "end" else repr(tok.text)
        raise ExpressionError(f"{what} at column {tok.pos + 1}, found {found}, "
                              f"in {_clip(self.text)!r}")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"expression nested too deeply in {_clip(self.text)!r}")

    # -- grammar
    def expr(self) -> sympy.Expr:
        self.enter()
        left = self.term()
        while self.peek().text in ("+", "-"):
            op = self.take().text
            right = self.term()
            left = left + right if op == "+" else left - right
        self.depth -= 1
        return left

    def term(self) -> sympy.Expr:
        left = self.unary()
        while self.peek().text in ("*", "/"):
            op = self.take().text
            right = self.unary()
            if op == "*":
                left = left * right
            else:
                if right == 0:
                    self.fail("division by zero")
                left = left / right
        return left

    def unary(self) -> sympy.Expr:
        if self.peek().text in ("+", "-"):
            op = self.take().text
            self.enter()
            val = self.unary()
            self.depth -= 1
            return -val if op == "-" else val
        return self.power()

    def power(self) -> sympy.Expr:
        base = self.primary()
        if self.peek().text in ("**", "^"):
            tok = self.take()
            self.enter()
            exp = self.unary()
            self.depth -= 1
            if not (exp.is_Integer and 0 <= int(exp) <= 64):
                self.fail("only small non-negative integer powers are accepted", tok)
            return base ** exp
        return base

    def primary(self) -> sympy.Expr:
        tok = self.take()
        if tok.kind == "num":
            return sympy.Rational(Fraction(tok.text))
        if tok.text == "(":
            val = self.expr()
            self.expect(")")
            return val
        if tok.kind == "name":
            if self.peek().text == "(":
                return self.call(tok)
            sym = symbol(tok.text)
            if sym is not None:
                return sym
            if atom_kind(tok.text) is not None or tok.text in ("Max", "Min"):
                self.fail(f"{tok.text} needs arguments in parentheses", tok)
            if not self.new_symbols:
                self.fail(f"unknown symbol {tok.text!r}", tok)
            return declare_symbol(tok.text)
        self.fail("expected a number, a name or '('", tok)
        raise AssertionError  # unreachable

    def call(self, name: _Tok) -> sympy.Expr:
        self.expect("(")
        args = [self.expr()]
        while self.peek().text == ",":
            self.take()
            args.append(self.expr())
        self.expect(")")
        if name.text in ("Max", "Min"):
            return (sympy.Max if name.text == "Max" else sympy.Min)(*args)
        kind = atom_kind(name.text)
        if kind is None:
            self.fail(f"unknown function {name.text!r} (known: cost atoms, Max, Min)", name)
            raise AssertionError  # unreachable
        if len(args) != kind.arity:
            self.fail(f"{name.text} takes {kind.arity} arguments, got {len(args)}", name)
        return kind.function(*args)


def parse_expr(text: str, *, new_symbols: bool = True, exact: bool = False) -> sympy.Expr:
    """Parse user text into a sympy expression, by the whitelist grammar of this module.

    ``exact``: keep a number times a sum as written (sympy would distribute it), so
    symcost's own JSON strings, e.g. ``4*(Get_Time(...) + ...)``, read back identical.

    Raises :class:`ExpressionError` with the column of the problem.

    >>> from symcost import parse_expr
    >>> parse_expr("4*(Get_Time(2048*B, 4096, 512) + Get_Time(B, 1, 1))", exact=True)
    4*(Get_Time(B, 1, 1) + Get_Time(2048*B, 4096, 512))
    """
    if not isinstance(text, str):
        raise ExpressionError(f"expected an expression as text, got {type(text).__name__}")
    p = _Parser(text, new_symbols=new_symbols)
    if p.peek().kind == "end":
        raise ExpressionError("empty expression")
    try:
        with distribute(not exact):
            val = p.expr()
    except RecursionError:
        raise ExpressionError(f"expression nested too deeply in {_clip(text)!r}") from None
    if p.peek().kind != "end":
        p.fail("unexpected text after the expression")
    return val


def parse_value(value: object, *, what: str = "value") -> sympy.Expr:
    """A number or an expression string from a spec or option, as a sympy expression."""
    if isinstance(value, bool):
        raise ExpressionError(f"{what}: expected a number or expression, got a boolean")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, float):
        return sympy.Rational(Fraction(str(value)))
    if isinstance(value, str):
        return parse_expr(value)
    raise ExpressionError(f"{what}: expected a number or expression, got {type(value).__name__}")


_REL = ("<=", ">=", "==", "<", ">", "=")


def parse_constraint(text: str) -> list[tuple[sympy.Symbol, str, sympy.Rational]]:
    """Parse ``"B>=8"``, ``"8 <= B"``, ``"1 <= B <= 64"`` into bounds ``(symbol, op, value)``.

    ``op`` is one of ``>=``, ``<=``, ``==`` (strict bounds on integer symbols are turned
    into non-strict ones). Only bounds on a single symbol are accepted.

    >>> from symcost import parse_constraint
    >>> parse_constraint("8 <= B <= 64")
    [(B, '>=', 8), (B, '<=', 64)]
    """
    if not isinstance(text, str) or not text.strip():
        raise ConstraintError("empty constraint")
    toks = _tokenize(text)
    parts: list[str] = []
    ops: list[str] = []
    start = 0
    for tok in toks:
        if tok.text in _REL:
            parts.append(text[start:tok.pos])
            ops.append("==" if tok.text == "=" else tok.text)
            start = tok.pos + len(tok.text)
    parts.append(text[start:])
    if not ops:
        raise ConstraintError(f"constraint {text!r} has no comparison (<=, >=, <, >, ==)")
    try:
        sides = [parse_expr(p) for p in parts]
    except ExpressionError as err:
        raise ConstraintError(f"in constraint {text!r}: {err.message}") from None
    out: list[tuple[sympy.Symbol, str, sympy.Rational]] = []
    for left, op, right in zip(sides, ops, sides[1:]):
        if isinstance(left, sympy.Symbol) and right.is_Rational:
            sym, val = left, right
        elif isinstance(right, sympy.Symbol) and left.is_Rational:
            sym, val = right, left
            op = {"<=": ">=", ">=": "<=", "<": ">", ">": "<", "==": "=="}[op]
        else:
            raise ConstraintError(f"constraint {text!r}: only bounds of one symbol by a "
                                  "number are supported, e.g. 'B>=8' or '1<=B<=64'")
        if op == ">":
            op, val = ">=", sympy.floor(val) + 1
        elif op == "<":
            op, val = "<=", sympy.ceiling(val) - 1
        out.append((sym, op, sympy.Rational(val)))
    return out
