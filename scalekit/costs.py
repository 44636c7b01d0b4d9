"""The Transformer's bill by formula: parameters, FLOPs, memory, KV cache (Chapter 12).

The formulas describe :class:`scalekit.transformer.TinyGPT` exactly (pre-LayerNorm
blocks, 4x MLP, biases everywhere, untied output layer) and real models approximately.
Two functions read TensorFlow's own counts from a traced graph, for the notebooks to
compare against the formulas:

* :func:`graph_flops`: floating-point operations per op type, from the statistics that
  TensorFlow's profiler (``tf.compat.v1.profiler`` with ``float_operation()``) sums;
* :func:`kept_activations`: the forward tensors that the backward pass of a
  ``GradientTape`` reads, i.e. what must stay in memory between forward and backward.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from scalekit._validate import positive_int

__all__ = ["param_count", "non_embedding_params", "forward_flops", "kaplan_forward_flops",
           "activation_values", "korthikanti_activation_values", "training_state_bytes",
           "kv_cache_bytes", "graph_flops", "kept_activations", "REAL_MODELS"]


def _d_ff(d_model: int, d_ff: int | None) -> int:
    return 4 * d_model if d_ff is None else positive_int("d_ff", d_ff)


def param_count(*, vocab_size: int, d_model: int, n_layers: int, context: int,
                d_ff: int | None = None) -> dict[str, int]:
    """Exact parameter count of ``TinyGPT``, by part.

    Per block: two LayerNorms (``2·2d``), ``W_qkv`` and ``W_o`` with biases
    (``4d² + 4d``), the MLP (``2·d·d_ff + d_ff + d``): ``12d² + 13d`` when
    ``d_ff = 4d``. Embeddings ``V·d`` (tokens) and ``n_ctx·d`` (positions); final
    LayerNorm ``2d``; untied output layer ``d·V + V``. ``non_embedding`` (Kaplan et al.'s
    *N*) is the blocks plus the final LayerNorm. The number of heads does not appear.
    """
    v = positive_int("vocab_size", vocab_size)
    d = positive_int("d_model", d_model)
    n_layers = positive_int("n_layers", n_layers)
    n = positive_int("context", context)
    f = _d_ff(d, d_ff)
    block = 2 * 2 * d + 4 * d * d + 4 * d + 2 * d * f + f + d
    parts = {"token_embedding": v * d, "position_embedding": n * d,
             "blocks": n_layers * block, "final_norm": 2 * d, "output_layer": d * v + v}
    parts["non_embedding"] = parts["blocks"] + parts["final_norm"]
    parts["total"] = sum(parts[k] for k in ("token_embedding", "position_embedding",
                                             "blocks", "final_norm", "output_layer"))
    return parts


def non_embedding_params(*, d_model: int, n_layers: int, d_ff: int | None = None) -> int:
    """Kaplan et al.'s *N*: block parameters plus the final LayerNorm (≈ ``12·L·d²``)."""
    return param_count(vocab_size=1, d_model=d_model, n_layers=n_layers, context=1,
                       d_ff=d_ff)["non_embedding"]


def forward_flops(*, vocab_size: int, d_model: int, n_layers: int, context: int,
                  d_ff: int | None = None) -> dict[str, int]:
    """Forward matrix-multiply FLOPs per token of ``TinyGPT`` on a full ``context`` window.

    ``weights``: 2 FLOPs (multiply, add) per weight of every dense layer, output layer
    included: ``2·(L·(4d² + 2·d·d_ff) + d·V)``. ``attention``: ``Q·Kᵀ`` and
    ``softmax·V`` each cost ``2·n_ctx·d`` per token per layer when the full (masked)
    score matrix is computed, as here: ``4·L·n_ctx·d``.
    """
    v = positive_int("vocab_size", vocab_size)
    d = positive_int("d_model", d_model)
    n_layers = positive_int("n_layers", n_layers)
    n = positive_int("context", context)
    f = _d_ff(d, d_ff)
    weights = 2 * (n_layers * (4 * d * d + 2 * d * f) + d * v)
    attention = 4 * n_layers * n * d
    return {"weights": weights, "attention": attention, "total": weights + attention}


def kaplan_forward_flops(*, n_params: int, n_layers: int, context: int, d_attn: int) -> int:
    """Kaplan et al. (2020, Table 1): ``C_forward ≈ 2N + 2·n_layer·n_ctx·d_attn`` per token.

    ``N`` is non-embedding; the attention term is half of :func:`forward_flops`'s (the
    two products on the causal half of the score matrix); the output layer (``2·d·V``)
    and every non-matmul operation are left out.
    """
    n_params = positive_int("n_params", n_params)
    n_layers = positive_int("n_layers", n_layers)
    context = positive_int("context", context)
    d_attn = positive_int("d_attn", d_attn)
    return 2 * n_params + 2 * n_layers * context * d_attn


def activation_values(*, d_model: int, n_heads: int, context: int) -> int:
    """Values one ``TinyGPT`` block keeps per token for its backward pass (fp32 graph).

    Derived op by op (``26d + h·n_ctx + 6``): the residual stream after attention and
    after the MLP (``2d``); each of the two LayerNorms keeps its normalized-times-scale
    product and its output (``2d``) plus three per-token statistics; attention keeps the
    scaled queries, keys, values and its output before ``W_o`` (``4d``) and the softmax
    probabilities (``h·n_ctx``); the MLP keeps three intermediates of Keras's exact GELU
    (``3·4d``) and the GELU output (``4d``), the input of the second dense layer.
    """
    d = positive_int("d_model", d_model)
    h = positive_int("n_heads", n_heads)
    n = positive_int("context", context)
    return 26 * d + h * n + 6


def korthikanti_activation_values(*, d_model: int, n_heads: int, context: int,
                                  dropout: bool = False) -> float:
    """Korthikanti et al. (2022, eq. 1) per token per layer, in *values* (not bytes).

    Their ``s·b·h·(34 + 5·a·s/h)`` bytes assume 2-byte activations and 1-byte dropout
    masks: ``17d + 2.5·a·s`` values. Without dropout (no masks, no dropout output) it is
    ``16d + a·s``: LayerNorm inputs ``2d``, ``Q, K, V`` and the inputs of the four linear
    layers ``6d``, the GELU input and output ``8d``, the softmax output ``a·s``.
    """
    d = positive_int("d_model", d_model)
    h = positive_int("n_heads", n_heads)
    n = positive_int("context", context)
    if not isinstance(dropout, bool):
        raise TypeError(f"dropout must be a bool, got {type(dropout).__name__}")
    return (34 * d + 5 * h * n) / 2 if dropout else float(16 * d + h * n)


def training_state_bytes(n_params: int, *, weight_bytes: int = 4, grad_bytes: int = 4,
                         optimizer_bytes: int = 8, master_bytes: int = 0) -> dict[str, int]:
    """Bytes of weights, gradients and optimizer state for ``n_params`` parameters.

    fp32 Adam: 4 + 4 + 8 (two moments) = 16 bytes per parameter. Mixed precision as in
    ZeRO (Rajbhandari et al. 2020): ``weight_bytes=2, grad_bytes=2, master_bytes=4``.
    """
    n_params = positive_int("n_params", n_params)
    sizes = {"weights": ("weight_bytes", weight_bytes), "gradients": ("grad_bytes", grad_bytes),
             "optimizer": ("optimizer_bytes", optimizer_bytes),
             "master_weights": ("master_bytes", master_bytes)}
    out = {k: positive_int(arg, b, allow_zero=True) * n_params
           for k, (arg, b) in sizes.items()}
    out["total"] = sum(out.values())
    return out


def kv_cache_bytes(*, n_layers: int, d_model: int, tokens: int = 1, batch: int = 1,
                   bytes_per_value: int = 2, kv_heads_fraction: float = 1.0) -> float:
    """Key/value cache size: ``2 (K and V) · L · d · bytes`` per token, times tokens·batch.

    ``kv_heads_fraction`` is ``n_kv_heads / n_heads`` for grouped-query attention (1 for
    plain multi-head attention).
    """
    n_layers = positive_int("n_layers", n_layers)
    d_model = positive_int("d_model", d_model)
    tokens = positive_int("tokens", tokens)
    batch = positive_int("batch", batch)
    bytes_per_value = positive_int("bytes_per_value", bytes_per_value)
    if not 0 < kv_heads_fraction <= 1:
        raise ValueError(f"kv_heads_fraction must lie in (0, 1], got {kv_heads_fraction}")
    return 2.0 * n_layers * d_model * bytes_per_value * kv_heads_fraction * tokens * batch


def graph_flops(graph: Any) -> pd.Series:
    """Floating-point operations of ``graph`` per op type (static shapes needed).

    Uses the per-op ``"flops"`` statistics TensorFlow registers, the ones its profiler
    sums (``tf.compat.v1.profiler.profile(graph, options=float_operation())``): matrix
    products count ``2·m·n·k``, element-wise ops one per output value (softmax five);
    ops without a registration (``Erf``, ``Tanh``, gathers) count zero.
    """
    from tensorflow.python.framework import ops as tf_ops

    if not hasattr(graph, "get_operations"):
        raise TypeError(f"graph must be a tf.Graph, got {type(graph).__name__}")
    counts: Counter = Counter()
    for op in graph.get_operations():
        try:
            stats = tf_ops.get_stats_for_node_def(graph, op.node_def, "flops")
        except ValueError:  # shape not fully known
            continue
        if stats.value:
            counts[op.type] += int(stats.value)
    return pd.Series(dict(counts), dtype="int64", name="flops").sort_values(ascending=False)


_ALIASES = frozenset({"Reshape", "Identity", "ExpandDims", "Squeeze"})
_NOT_ACTIVATIONS = frozenset({"ReadVariableOp", "Const", "Placeholder", "Shape",
                              "VarHandleOp"})


def kept_activations(graph: Any, *, backward_scope: str = "gradient_tape/") -> pd.DataFrame:
    """Forward tensors that the backward ops of ``graph`` read: one row per tensor.

    ``graph`` is the graph of a ``tf.function`` that runs a forward pass under a
    ``GradientTape`` and calls ``tape.gradient`` (whose ops live under
    ``backward_scope``). Reshapes are followed to the tensor they view, so a value is
    counted once; weights (variable reads), constants and inputs are left out. Columns:
    ``tensor``, ``op`` (its type), ``values``, ``bytes``.
    """
    if not hasattr(graph, "get_operations"):
        raise TypeError(f"graph must be a tf.Graph, got {type(graph).__name__}")
    rows: dict[str, dict[str, Any]] = {}
    for op in graph.get_operations():
        if not op.name.startswith(backward_scope):
            continue
        for tensor in op.inputs:
            while tensor.op.type in _ALIASES:
                tensor = tensor.op.inputs[0]
            if (tensor.op.name.startswith(backward_scope) or tensor.op.type in
                    _NOT_ACTIVATIONS or not tensor.dtype.is_floating):
                continue
            if not tensor.shape.is_fully_defined():
                raise ValueError(f"tensor {tensor.name} has no static shape; trace the "
                                 "function with fully defined input shapes")
            values = tensor.shape.num_elements()
            rows[tensor.name] = {"tensor": tensor.name, "op": tensor.op.type,
                                 "values": values, "bytes": values * tensor.dtype.size}
    return pd.DataFrame(list(rows.values()), columns=["tensor", "op", "values", "bytes"])


#: Published configurations (non-embedding details differ; ``params`` is the published
#: total). GPT-3: Brown et al. (2020), Table 2.1. Chinchilla: Hoffmann et al. (2022),
#: Table 4 (context as Gopher's). LLaMA-7B: Touvron et al. (2023), Table 2.
REAL_MODELS: dict[str, dict[str, float]] = {
    "GPT-3 175B": {"params": 175.0e9, "layers": 96, "d_model": 12288, "heads": 96,
                   "context": 2048},
    "Chinchilla 70B": {"params": 70.0e9, "layers": 80, "d_model": 8192, "heads": 64,
                       "context": 2048},
    "LLaMA-7B": {"params": 6.7e9, "layers": 32, "d_model": 4096, "heads": 32,
                 "context": 2048},
}
