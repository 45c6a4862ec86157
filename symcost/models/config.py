"""Model descriptions: a Hugging Face style ``config.json`` or a bundled preset.

Fields read (the usual config.json names and their common synonyms):

=====================  ============================================================
field                  config.json keys
=====================  ============================================================
layers                 num_hidden_layers, n_layer, num_layers
hidden                 hidden_size, d_model, n_embd
heads                  num_attention_heads, n_head
kv_heads               num_key_value_heads (default: heads, i.e. no GQA)
head_dim               head_dim (default: hidden / heads)
intermediate           intermediate_size, ffn_dim, n_inner (default 4 * hidden)
experts                num_local_experts, num_experts, n_routed_experts (0: dense)
experts_per_token      num_experts_per_tok, moe_top_k
expert_intermediate    moe_intermediate_size (default: intermediate)
shared_experts         n_shared_experts, or 1 with shared_expert_intermediate_size
dense_layers           first_k_dense_replace (the first layers keep a dense MLP)
vocab                  vocab_size
gated_mlp              gated_mlp (default: true, SwiGLU, except gpt2/gpt_neox/opt/bert)
=====================  ============================================================

Multi-head latent attention (``kv_lora_rank`` or ``q_lora_rank`` present, DeepSeek-V2/V3)
is not covered by DESIGN.md's attention convention: :func:`load_model` reads it, and
:meth:`ModelConfig.check_supported` refuses it in one line instead of approximating it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from symcost.models.base import ModelError

_UNGATED = {"gpt2", "gpt_neox", "opt", "bert", "gptj", "gpt_bigcode"}


@dataclass(frozen=True)
class ModelConfig:
    """The architecture numbers a deployment DAG is generated from."""

    name: str
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    intermediate: int
    vocab: int = 0
    experts: int = 0
    experts_per_token: int = 0
    expert_intermediate: int = 0
    shared_experts: int = 0
    shared_intermediate: int = 0
    dense_layers: int = 0
    gated_mlp: bool = True
    tied_embeddings: bool = False
    attention: str = "gqa"            # "gqa" (MHA when kv_heads == heads) or "mla"
    source: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def moe(self) -> bool:
        """True when the model has routed experts."""
        return self.experts > 0

    def is_moe_layer(self, layer: int) -> bool:
        """Layer ``layer`` (0-based) has routed experts (after ``dense_layers``)."""
        return self.moe and layer >= self.dense_layers

    def check_supported(self) -> None:
        """ModelError (one line) for an architecture symcost does not model."""
        if self.attention == "mla":
            raise ModelError(f"{self.name}: multi-head latent attention (MLA, kv_lora_rank "
                             f"{self.raw.get('kv_lora_rank')}) is not covered by symcost's "
                             "attention convention (DESIGN.md); refused rather than "
                             "approximated")

    def attention_params(self) -> int:
        """Weights of one layer's Q, K, V and output projections."""
        q = self.heads * self.head_dim
        kv = self.kv_heads * self.head_dim
        return self.hidden * (q + 2 * kv) + q * self.hidden

    def mlp_params(self, inner: int) -> int:
        """Weights of one (gated or plain) MLP of inner width ``inner``."""
        return (3 if self.gated_mlp else 2) * self.hidden * inner

    def layer_params(self, layer: int, *, active: bool = False) -> int:
        """Matmul weights of layer ``layer``; ``active``: only the experts a token uses."""
        total = self.attention_params()
        if self.is_moe_layer(layer):
            routed = self.experts_per_token if active else self.experts
            total += self.hidden * self.experts  # router
            total += routed * self.mlp_params(self.expert_intermediate)
            total += self.shared_experts * self.mlp_params(self.shared_intermediate)
        else:
            total += self.mlp_params(self.intermediate)
        return total

    def total_params(self) -> int:
        """All weights: layers, embedding, and the LM head when untied."""
        emb = self.vocab * self.hidden * (1 if self.tied_embeddings else 2)
        return sum(self.layer_params(i) for i in range(self.layers)) + emb


def _first(cfg: dict[str, Any], *keys: str, default: Any = None) -> Any:
    for k in keys:
        if k in cfg and cfg[k] is not None:
            return cfg[k]
    return default


def _positive_int(value: Any, what: str, name: str, *, zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or int(value) != value or value < (0 if zero else 1):
        raise ModelError(f"{name}: {what} must be a {'non-negative' if zero else 'positive'} "
                         f"integer, got {value!r}")
    return int(value)


def from_hf(cfg: dict[str, Any], *, name: str = "model", source: str = "") -> ModelConfig:
    """A :class:`ModelConfig` from a parsed ``config.json`` mapping (see module doc)."""
    if not isinstance(cfg, dict):
        raise ModelError(f"{name}: a model config must be a mapping of config.json keys")
    layers = _positive_int(_first(cfg, "num_hidden_layers", "n_layer", "num_layers"),
                           "num_hidden_layers", name)
    hidden = _positive_int(_first(cfg, "hidden_size", "d_model", "n_embd"), "hidden_size", name)
    heads = _positive_int(_first(cfg, "num_attention_heads", "n_head"),
                          "num_attention_heads", name)
    kv = _positive_int(_first(cfg, "num_key_value_heads", default=heads),
                       "num_key_value_heads", name)
    if heads % kv:
        raise ModelError(f"{name}: {heads} attention heads are not a multiple of {kv} "
                         "key/value heads")
    hd_default = hidden // heads if hidden % heads == 0 else None
    hd = _positive_int(_first(cfg, "head_dim", default=hd_default), "head_dim", name)
    inter = _positive_int(_first(cfg, "intermediate_size", "ffn_dim", "n_inner",
                                 default=4 * hidden), "intermediate_size", name)
    experts = _positive_int(_first(cfg, "num_local_experts", "num_experts",
                                   "n_routed_experts", default=0), "num_experts", name,
                            zero=True)
    top_k = _positive_int(_first(cfg, "num_experts_per_tok", "moe_top_k",
                                 default=2 if experts else 0), "num_experts_per_tok", name,
                          zero=True)
    if experts and not 1 <= top_k <= experts:
        raise ModelError(f"{name}: num_experts_per_tok {top_k} must be in 1..{experts}")
    e_inter = _positive_int(_first(cfg, "moe_intermediate_size", default=inter),
                            "moe_intermediate_size", name)
    shared = _first(cfg, "n_shared_experts", default=None)
    shared_inter = e_inter
    if shared is None and _first(cfg, "shared_expert_intermediate_size"):
        shared, shared_inter = 1, cfg["shared_expert_intermediate_size"]
    shared = _positive_int(shared or 0, "n_shared_experts", name, zero=True)
    dense = _positive_int(_first(cfg, "first_k_dense_replace", default=0),
                          "first_k_dense_replace", name, zero=True)
    mtype = str(cfg.get("model_type", "")).lower()
    gated = cfg.get("gated_mlp", mtype not in _UNGATED)
    mla = any(cfg.get(k) for k in ("kv_lora_rank", "q_lora_rank"))
    return ModelConfig(
        name=name, layers=layers, hidden=hidden, heads=heads, kv_heads=kv, head_dim=hd,
        intermediate=inter, vocab=_positive_int(cfg.get("vocab_size", 0), "vocab_size",
                                                name, zero=True),
        experts=experts, experts_per_token=top_k if experts else 0,
        expert_intermediate=e_inter if experts else 0, shared_experts=shared,
        shared_intermediate=int(shared_inter) if shared else 0,
        dense_layers=min(dense, layers) if experts else 0, gated_mlp=bool(gated),
        tied_embeddings=bool(cfg.get("tie_word_embeddings", False)),
        attention="mla" if mla else "gqa", source=source, raw=dict(cfg))


@cache
def _presets() -> dict[str, dict[str, Any]]:
    text = resources.files("symcost").joinpath("data", "models.yaml").read_text("utf-8")
    return yaml.safe_load(text)["presets"]


def model_presets() -> list[str]:
    """The names of the bundled model presets."""
    return list(_presets())


def _norm(s: str) -> str:
    return str(s).strip().lower().replace("_", "-")


def load_model(spec: str | Path) -> ModelConfig:
    """A preset by name (or alias), else a ``config.json`` file; ModelError otherwise."""
    want = _norm(str(spec))
    for key, entry in _presets().items():
        if want in {_norm(key), *(_norm(a) for a in entry.get("aliases", []))}:
            return from_hf(entry["config"], name=key, source=entry.get("source", ""))
    p = Path(spec)
    if p.is_file():
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ModelError(f"{p}: not a readable config.json ({err})") from None
        return from_hf(data, name=p.stem if p.stem != "config" else p.parent.name or "model",
                       source=str(p))
    raise ModelError(f"unknown model {spec!r}: neither a preset ({', '.join(_presets())}) "
                     "nor a config.json file")
