"""Regular expressions from users (``--rules``), compiled and run with a time bound.

A pattern such as ``(a+)+$`` takes exponential time on a label of a few dozen ``a``'s
with Python's :mod:`re`. Patterns are compiled with the maintained :mod:`regex` module
(compatible with :mod:`re` for the patterns rules use) and every search runs with its
``timeout=`` argument (:data:`~symcost.core.limits.REGEX_TIMEOUT` seconds): a search
that runs out of time is an :class:`~symcost.core.errors.InputError` naming the pattern,
never a hang. Compile errors (bad syntax, a repetition count too large) are
``InputError`` too.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import regex

from symcost.core import limits
from symcost.core.errors import InputError

#: Longest pattern accepted (characters).
MAX_PATTERN = 10_000


class BoundedPattern:
    """A compiled pattern whose ``search`` is bounded in time (``re.Pattern``-like)."""

    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled = _compile(pattern, flags)

    def search(self, text: str, timeout: float | None = None) -> Any:
        """Like ``re.Pattern.search``; :class:`InputError` past the time bound."""
        try:
            return self._compiled.search(text, timeout=limits.REGEX_TIMEOUT
                                         if timeout is None else timeout)
        except TimeoutError:
            raise InputError(f"rule pattern {_clip(self.pattern)!r} ran more than "
                             f"{limits.REGEX_TIMEOUT:g} s on the text {_clip(text)!r} "
                             "(catastrophic backtracking?); simplify the pattern") from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BoundedPattern) and (self.pattern, self.flags) == \
            (other.pattern, other.flags)

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))

    def __repr__(self) -> str:
        return f"BoundedPattern({self.pattern!r})"


def _compile(pattern: str, flags: int) -> Any:
    if not isinstance(pattern, str):
        raise InputError("a pattern must be text")
    if len(pattern) > MAX_PATTERN:
        raise InputError(f"pattern longer than {MAX_PATTERN} characters")
    rflags = regex.VERSION0
    if flags & re.IGNORECASE:
        rflags |= regex.IGNORECASE
    if flags & re.MULTILINE:
        rflags |= regex.MULTILINE
    if flags & re.DOTALL:
        rflags |= regex.DOTALL
    if flags & re.VERBOSE:
        rflags |= regex.VERBOSE
    try:
        return regex.compile(pattern, rflags)
    except (regex.error, OverflowError, RecursionError, ValueError) as err:
        raise InputError(f"bad regular expression {_clip(pattern)!r}: "
                         f"{' '.join(str(err).split())}") from None


def compile_pattern(pattern: str, flags: int = 0) -> BoundedPattern:
    """Compile a user pattern (``re`` flags accepted); :class:`InputError` if it is bad."""
    return BoundedPattern(pattern, flags)


@functools.lru_cache(maxsize=1024)
def _cached(pattern: str) -> BoundedPattern:
    return BoundedPattern(pattern)


def safe_search(pattern: str | BoundedPattern, text: str) -> Any:
    """``re.search(pattern, text)`` with the time bound; the match or None."""
    p = pattern if isinstance(pattern, BoundedPattern) else _cached(pattern)
    return p.search(text)


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


__all__ = ["BoundedPattern", "compile_pattern", "safe_search", "MAX_PATTERN"]
