"""Model parameters for sizes DAG labels leave out: ``--set NAME=VALUE`` and ``--params FILE``.

A DOT label often omits a size the cost needs (an expert's inner width, the number of
experts). The reader then uses a named symbol (``F_expert``, ``E``, ...); a model
parameter given here replaces that symbol by a number. Names are the keys of model
configuration files (``deployment_config.json``, Hugging Face ``config.json``) or the
symbols themselves. Every parameter is recorded with its source in
``dag.meta["parameters"]``; keys that map to nothing are reported, never guessed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import sympy

from symcost.core.errors import InputError
from symcost.core.limits import check_size
from symcost.core.safeload import load_json, load_yaml
from symcost.core.textfile import read_text_file

MAX_PARAMS_BYTES = 1 << 20

#: Parameter name (lower-case) -> role of the size it gives.
PARAM_ROLES: dict[str, str] = {}
for _role, _names in {
    "ffn_expert": "expert_hidden expert_hidden_size moe_intermediate_size expert_ffn "
                  "expert_intermediate_size expert_dim moe_ffn_hidden_size f_expert",
    "ffn": "ffn_hidden ffn_hidden_size intermediate_size ffn_dim d_ff mlp_hidden f",
    "experts": "num_experts n_experts num_local_experts n_routed_experts "
               "num_routed_experts moe_num_experts experts e",
    "hidden": "hidden_size hidden hidden_dim d_model model_dim embed_dim h",
    "heads": "num_attention_heads num_heads n_heads heads",
    "kv_heads": "num_key_value_heads num_kv_heads n_kv_heads",
    "head_dim": "head_dim d_head kv_channels",
    "seq": "seq_len seq_length sequence_length max_seq_len",
    "top_k": "top_k num_experts_per_tok moe_top_k experts_per_token",
    "layers": "num_layers num_hidden_layers n_layers layers",
}.items():
    for _n in _names.split():
        PARAM_ROLES[_n] = _role

#: Roles the DOT reader substitutes (sizes missing from labels); the rest are recorded.
USED_ROLES = ("ffn_expert", "ffn", "experts", "hidden")


@dataclass
class Parameters:
    """Model parameters by role, each with the name and source it came from."""

    by_role: dict[str, tuple[sympy.Expr, str]]
    records: list[dict[str, object]]
    notes: list[str]
    unmapped: list[str]  # --set names that are no model parameter (left for `eval`)
    #: file entries that are no model parameter: symbols the reader may bind, else ignored
    loose: dict[str, tuple[object, str]] = field(default_factory=dict)


def _int(value: object) -> int | None:
    """A positive size below 2**63 (symcost.core.limits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        value = value.strip()
    if not isinstance(value, int | str):
        return None
    try:
        return check_size(value)
    except InputError:
        return None


def _flatten(data: object, prefix: str = "") -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            out += _flatten(v, f"{prefix}{k}." if isinstance(v, dict) else f"{prefix}{k}")
    else:
        out.append((prefix.rstrip("."), data))
    return out


def read_params_file(path: str | os.PathLike[str]) -> list[tuple[str, object]]:
    """(dotted key, value) pairs of a JSON or YAML mapping (nested mappings flattened)."""
    file = str(path)
    p = Path(path)
    text = read_text_file(path, "parameter", MAX_PARAMS_BYTES)
    # bounded depth and alias expansion (symcost.core.safeload)
    data = load_json(text, file) if p.suffix.lower() == ".json" else load_yaml(text, file)
    if not isinstance(data, dict):
        raise InputError("expected a mapping of parameter names to values", file=file)
    return _flatten(data)


def positive_size(value: object) -> int | None:
    """``value`` as a size (a positive integer below 2**63), else None.

    >>> positive_size("4096"), positive_size(0), positive_size("x")
    (4096, None, None)
    """
    num = _int(value)
    return num if num is not None and num >= 1 else None


def collect(sets: dict[str, str] | None = None,
            params: str | os.PathLike[str] | None = None) -> Parameters:
    """Parameters from a file, then ``--set`` (which wins), mapped to roles."""
    by_role: dict[str, tuple[sympy.Expr, str]] = {}
    records: list[dict[str, object]] = []
    notes: list[str] = []
    unmapped: list[str] = []
    loose: dict[str, tuple[object, str]] = {}
    entries: list[tuple[str, object, str]] = []
    if params is not None:
        entries += [(k, v, f"--params {params}") for k, v in read_params_file(params)]
    entries += [(k, v, "--set") for k, v in (sets or {}).items()]
    for key, value, source in entries:
        leaf = key.rsplit(".", 1)[-1]
        role = PARAM_ROLES.get(leaf.lower())
        if role is None:
            if source == "--set":
                unmapped.append(key)
            else:
                loose[key] = (value, source)
            continue
        num = _int(value)
        if num is None or num < 1:
            if source == "--set":
                raise InputError(f"--set {key}={str(value)[:40]}: expected a positive integer "
                                 "below 2**63")
            notes.append(f"{source}: {key}={str(value)[:40]!r} is not a positive integer "
                         "below 2**63; ignored")
            continue
        prev = by_role.get(role)
        if prev is not None and prev[0] != num and prev[1].startswith(source):
            notes.append(f"{source}: {key}={num} and {prev[1]} disagree; {key} wins")
        by_role[role] = (sympy.Integer(num), f"{source} {key}")
        records.append({"name": key, "value": num, "source": source, "role": role,
                        "used": False})
    # a later value for the same role replaces the earlier record
    last: dict[str, dict[str, object]] = {}
    for r in records:
        last[str(r["role"])] = r
    records = [r for r in records if last[str(r["role"])] is r]
    return Parameters(by_role, records, notes, unmapped, loose)


__all__ = ["PARAM_ROLES", "Parameters", "collect", "positive_size", "read_params_file"]
