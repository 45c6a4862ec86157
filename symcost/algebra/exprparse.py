"""A whitelist parser for expressions and constraints typed by users.

Nothing here calls ``eval`` or ``sympify`` on user text. The grammar is::

    expr   := term (('+' | '-') term)*
    term   := unary (('*' | '/' | '×') unary)*
    unary  := ('+' | '-') unary | power
    power  := primary (('**' | '^') unary)?
    primary:= NUMBER | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'

Work is bounded (README "Limits"): the text is at most ``MAX_EXPR_CHARS`` characters,
nesting (parentheses, signs, powers) at most ``MAX_EXPR_DEPTH`` deep, literals at most
``MAX_LITERAL_DIGITS`` digits and within ``10**±MAX_EXP10``, numbers computed while
parsing below ``2**MAX_NUMBER_BITS``, exponents at most ``MAX_POWER``; sums and products
are built in one step (linear in their length) and a ``Max``/``Min`` of many arguments
without sympy's pairwise simplification.

Names are declared symbols (``B`` and those of :func:`symcost.declare_symbol`), or new
identifiers, which become positive-integer symbols. Function calls are limited to
declared cost atoms (``Get_Time``, ``AllReduce``, ... and :func:`symcost.declare_atom`)
and ``Max`` / ``Min``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

import sympy
from sympy.core.parameters import distribute

from symcost.core import limits
from symcost.core.errors import ConstraintError, ExpressionError, InputError
from symcost.core.symbols import atom_kind, declare_symbol, symbol

MAX_TEXT = limits.MAX_EXPR_CHARS
MAX_DEPTH = limits.MAX_EXPR_DEPTH

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

    def number(self, value: sympy.Expr, tok: _Tok) -> sympy.Expr:
        """``value`` if it is within the number limits (checked before sympy grows it)."""
        if value.is_Rational and limits.number_bits(value) > limits.MAX_NUMBER_BITS:
            self.fail(f"number too large (above 2**{limits.MAX_NUMBER_BITS})", tok)
        return value

    # -- grammar
    def expr(self) -> sympy.Expr:
        self.enter()
        terms = [self.term()]
        while self.peek().text in ("+", "-"):
            op = self.take().text
            right = self.term()
            terms.append(right if op == "+" else -right)
        self.depth -= 1
        return terms[0] if len(terms) == 1 else sympy.Add(*terms)

    def term(self) -> sympy.Expr:
        start = self.peek()
        factors = [self.unary()]
        bits = limits.number_bits(factors[0]) if factors[0].is_Rational else 0
        while self.peek().text in ("*", "/"):
            op = self.take().text
            right = self.unary()
            if op == "/":
                if right == 0:
                    self.fail("division by zero")
                right = 1 / right
            if right.is_Rational:
                bits += limits.number_bits(right)
                if bits > limits.MAX_NUMBER_BITS:
                    self.fail(f"number too large (above 2**{limits.MAX_NUMBER_BITS})", start)
            factors.append(right)
        return factors[0] if len(factors) == 1 else sympy.Mul(*factors)

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
            if not (exp.is_Integer and 0 <= int(exp) <= limits.MAX_POWER):
                self.fail("only small non-negative integer powers are accepted", tok)
            if base.is_Rational and limits.number_bits(base) * int(exp) \
                    > 2 * limits.MAX_NUMBER_BITS:
                self.fail(f"number too large (above 2**{limits.MAX_NUMBER_BITS})", tok)
            return self.number(base ** exp, tok)
        return base

    def primary(self) -> sympy.Expr:
        tok = self.take()
        if tok.kind == "num":
            try:
                limits.check_literal(tok.text)
            except InputError as err:
                self.fail(err.message, tok)
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
            return _extremum(name.text, args)
        kind = atom_kind(name.text)
        if kind is None:
            self.fail(f"unknown function {name.text!r} (known: cost atoms, Max, Min)", name)
            raise AssertionError  # unreachable
        if len(args) != kind.arity:
            self.fail(f"{name.text} takes {kind.arity} arguments, got {len(args)}", name)
        return kind.function(*args)


def _extremum(name: str, args: list[sympy.Expr]) -> sympy.Expr:
    """``Max``/``Min`` of ``args``: nested ones flattened, duplicates and all numbers but
    the extreme one dropped; sympy simplifies at most ``MAX_SIMPLIFIED_ARGS`` arguments
    (its pairwise comparisons are quadratic and slow on cost atoms)."""
    func = sympy.Max if name == "Max" else sympy.Min
    flat: list[sympy.Expr] = []
    for a in args:
        flat.extend(a.args if isinstance(a, func) else (a,))
    numbers = [a for a in flat if a.is_Number]
    others = list(dict.fromkeys(a for a in flat if not a.is_Number))
    kept = others + ([(max if name == "Max" else min)(numbers)] if numbers else [])
    if len(kept) == 1:
        return kept[0]
    if len(kept) <= limits.MAX_SIMPLIFIED_ARGS:
        return func(*kept)
    return func(*kept, evaluate=False)


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
        if abs(value).bit_length() > limits.MAX_NUMBER_BITS:
            raise ExpressionError(f"{what}: number too large (above 2**{limits.MAX_NUMBER_BITS})")
        return sympy.Integer(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ExpressionError(f"{what}: {value!r} is not a finite number")
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
