"""User regular expressions: bounded in time, compile errors as InputError."""

from __future__ import annotations

import pytest

from symcost.core.errors import InputError
from symcost.core.patterns import compile_pattern, safe_search


def test_like_re_search():
    p = compile_pattern(r"\bqkv\b", 2)  # re.IGNORECASE
    assert p.search("fused QKV projection") is not None
    assert safe_search("linear|GEMM", "a GEMM") is not None
    assert safe_search("^x$", "y") is None


def test_catastrophic_pattern_times_out():
    p = compile_pattern(r"(a|aa)+$")
    with pytest.raises(InputError, match="catastrophic"):
        p.search("a" * 40 + "!", timeout=0.2)


@pytest.mark.parametrize("pattern", ["a{99999999999}", "(", "[z-a]", "x" * 20_000])
def test_bad_patterns(pattern):
    with pytest.raises(InputError):
        compile_pattern(pattern)
