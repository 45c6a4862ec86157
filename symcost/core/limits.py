"""The documented limits on input, and the validators that apply them where numbers are read.

Every reader calls these on the numbers it reads, so that a size, a time or an expression
that is out of range becomes one :class:`~symcost.core.errors.InputError` at the place it
was written, instead of an ``OverflowError``, a hang or a ``MemoryError`` later on. The
README's "Limits" table lists the same values.
"""

from __future__ import annotations

import math
import re

from symcost.core.errors import InputError

#: Sizes (tensor dimensions, counts, GPU numbers) are positive integers below this.
MAX_SIZE = 2**63
#: A size written with more digits than this is refused before it is converted.
MAX_SIZE_DIGITS = 19
#: Numeric literals in expressions: at most this many significant digits ...
MAX_LITERAL_DIGITS = 400
#: ... and a magnitude between 10**-MAX_EXP10 and 10**MAX_EXP10 (zero aside).
MAX_EXP10 = 300
#: Numbers computed while parsing an expression (products, powers of numbers) stay below
#: 2**MAX_NUMBER_BITS (about 10**301, the range of a float).
MAX_NUMBER_BITS = 1000
#: Longest expression text (characters) and deepest nesting of parentheses, signs, powers.
MAX_EXPR_CHARS = 1_000_000
MAX_EXPR_DEPTH = 100
#: Largest exponent accepted in ``x**n``.
MAX_POWER = 64
#: ``Max``/``Min`` with more arguments than this are built without sympy's pairwise
#: simplification (which is quadratic and slow on cost atoms); duplicates are still merged.
MAX_SIMPLIFIED_ARGS = 8
#: ``--batch``: at most this many batch sizes; a larger range is sampled geometrically.
MAX_BATCH_POINTS = 100_000
#: Spec ``foreach``: instances of one entry, and nodes / edges of a whole spec.
MAX_FOREACH = 200_000
MAX_SPEC_NODES = 200_000
MAX_SPEC_EDGES = 1_000_000
#: YAML/JSON documents: deepest nesting of lists/mappings, and how many nodes aliases may
#: add (billion-laughs guard).
MAX_DOC_DEPTH = 100
MAX_ALIAS_NODES = 1_000_000
#: Seconds one user regular expression (``--rules``) may run on one label.
REGEX_TIMEOUT = 1.0

_INT_TEXT = re.compile(r"^\s*\+?(\d+)\s*$")
_LITERAL = re.compile(r"^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$")


def check_size(value: object, what: str = "size", *, zero: bool = False) -> int:
    """``value`` (an int or decimal digits) as an int in ``[1, MAX_SIZE)``.

    ``zero=True`` also accepts 0. Raises :class:`InputError` naming ``what`` otherwise;
    text with more than :data:`MAX_SIZE_DIGITS` digits is refused before conversion.
    """
    if isinstance(value, bool):
        raise InputError(f"{what}: expected a positive integer, got a boolean")
    if isinstance(value, str):
        m = _INT_TEXT.match(value)
        if m is None:
            raise InputError(f"{what}: {_clip(value)!r} is not a positive integer")
        digits = m.group(1).lstrip("0") or "0"
        if len(digits) > MAX_SIZE_DIGITS:
            raise InputError(f"{what}: {_clip(value)} ({len(digits)} digits) is not below "
                             "the size limit 2**63")
        value = int(digits)
    if not isinstance(value, int):
        raise InputError(f"{what}: expected a positive integer, got {type(value).__name__}")
    if value < (0 if zero else 1) or value >= MAX_SIZE:
        bound = "a non-negative" if zero else "a positive"
        raise InputError(f"{what}: {_clip(str(value))} is not {bound} integer below 2**63")
    return value


_DIGITS = re.compile(r"\d+")
_PRODUCT_TEXT = re.compile(r"^\s*\d+(?:\s*[×x*]\s*\d+)+\s*$")


def check_dim_text(text: str, role: str | None = None, what: str = "size") -> None:
    """Refuse a dimension written in a label whose numbers (or whose product, for
    ``64x128``) are not below 2**63, before anything converts them; for a known size
    ``role`` (batch, hidden, ...) a plain 0 is refused too."""
    if role is not None and text.strip().strip("0") == "" and text.strip():
        raise InputError(f"{role} size {text.strip()!r}: sizes are positive integers")
    runs = _DIGITS.findall(text)
    for run in runs:
        check_size(run, f"{what} {_clip(text)!r}", zero=True)
    if len(runs) > 1 and _PRODUCT_TEXT.match(text):
        prod = math.prod(int(r) for r in runs)
        if prod >= MAX_SIZE:
            raise InputError(f"{what} {_clip(text)!r}: the product is not below the size "
                             "limit 2**63")


def check_time(value: object, what: str = "time") -> float:
    """``value`` as a finite, non-negative float (seconds, rates, fractions)."""
    if isinstance(value, bool):
        raise InputError(f"{what}: expected a number, got a boolean")
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_LITERAL_DIGITS + 10:
            raise InputError(f"{what}: {_clip(text)!r} is too long for a number")
        try:
            value = float(text)
        except ValueError:
            raise InputError(f"{what}: {_clip(text)!r} is not a number") from None
    if isinstance(value, int):
        if abs(value).bit_length() > MAX_NUMBER_BITS:
            raise InputError(f"{what}: number too large")
        value = float(value)
    if not isinstance(value, float):
        raise InputError(f"{what}: expected a number, got {type(value).__name__}")
    if not math.isfinite(value) or value < 0:
        raise InputError(f"{what}: {value!r} is not a finite non-negative number")
    return value


def check_literal(text: str) -> None:
    """Refuse a numeric literal of an expression that is too long or out of range
    (``1e999999999``), before it is converted."""
    m = _LITERAL.match(text)
    if m is None:
        raise InputError(f"{_clip(text)!r} is not a number")
    whole, frac, exp = m.group(1), m.group(2) or "", m.group(3)
    digits = (whole + frac).lstrip("0")
    if len(digits) > MAX_LITERAL_DIGITS:
        raise InputError(f"number {_clip(text)} has more than {MAX_LITERAL_DIGITS} digits")
    if not digits:
        return  # zero, whatever its exponent
    if exp is not None and len(exp.lstrip("+-").lstrip("0")) > 6:
        raise InputError(f"number {_clip(text)}: exponent out of range")
    e = int(exp) if exp is not None else 0
    stripped = whole.lstrip("0")
    lead = len(stripped) - 1 if stripped else -(len(frac) - len(frac.lstrip("0")) + 1)
    if not -MAX_EXP10 <= lead + e <= MAX_EXP10:
        raise InputError(f"number {_clip(text)} is out of range (magnitude above "
                         f"10**{MAX_EXP10} or below 10**-{MAX_EXP10})")


def number_bits(num: object) -> int:
    """Bits of the numerator plus the denominator of a rational number (sympy or int)."""
    p = getattr(num, "p", num)
    q = getattr(num, "q", 1)
    if not isinstance(p, int) or not isinstance(q, int):
        return 0
    return abs(p).bit_length() + abs(q).bit_length()


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


__all__ = [
    "MAX_SIZE", "MAX_SIZE_DIGITS", "MAX_LITERAL_DIGITS", "MAX_EXP10", "MAX_NUMBER_BITS",
    "MAX_EXPR_CHARS", "MAX_EXPR_DEPTH", "MAX_POWER", "MAX_SIMPLIFIED_ARGS",
    "MAX_BATCH_POINTS", "MAX_FOREACH", "MAX_SPEC_NODES", "MAX_SPEC_EDGES", "MAX_DOC_DEPTH",
    "MAX_ALIAS_NODES", "REGEX_TIMEOUT",
    "check_size", "check_dim_text", "check_time", "check_literal", "number_bits",
]
