"""Backpropagation by hand for a two-layer perceptron, gradient checks, and least squares.

The network of Chapter 4 is

.. math::

    a = xW_1 + b_1,\\quad h = f(a),\\quad o = hW_2 + b_2,

with ``f`` one of :data:`ACTIVATIONS` and a loss on the output ``o`` (:data:`LOSSES`: mean
squared error on a linear output, or softmax cross-entropy on logits). :func:`forward`
caches ``x``, ``a`` and ``h``; :func:`backward` walks the chain rule back through them.
Parameters are a ``dict`` with keys ``W1, b1, W2, b2`` (float64 arrays).

:func:`numerical_gradient` (central finite differences) checks any gradient (compare the
two with :func:`scalekit.compare.max_rel_diff`); :func:`least_squares` is the closed-form
optimum of linear regression. Chapter 4 (``notebooks/ch04``) uses this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from scalekit._validate import flag, function, nonnegative, positive_int
from scalekit.losses import log_softmax

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "PARAM_NAMES",
    "backward",
    "forward",
    "init_mlp",
    "least_squares",
    "loss_and_grads",
    "numerical_gradient",
    "output_loss",
]

ACTIVATIONS = ("tanh", "sigmoid", "relu")
LOSSES = ("mse", "categorical_crossentropy")
PARAM_NAMES = ("W1", "b1", "W2", "b2")

Params = dict[str, np.ndarray]


def _activation(name: str) -> tuple[Callable[[np.ndarray], np.ndarray],
                                     Callable[[np.ndarray, np.ndarray], np.ndarray]]:
    """``(f, f')`` where ``f'(a, h)`` may use the cached output ``h = f(a)``."""
    if name == "tanh":
        return np.tanh, lambda a, h: 1.0 - h**2
    if name == "sigmoid":
        return (lambda a: 0.5 * (1.0 + np.tanh(0.5 * a)),  # = 1/(1+e^-a), overflow-free
                lambda a, h: h * (1.0 - h))
    if name == "relu":
        return (lambda a: np.maximum(a, 0.0), lambda a, h: (a > 0).astype(a.dtype))
    raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}")


def _check_params(params: Mapping[str, np.ndarray]) -> Params:
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    missing = [k for k in PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(f"params is missing {missing}; it needs {list(PARAM_NAMES)}")
    p = {k: np.asarray(params[k], dtype=np.float64) for k in PARAM_NAMES}
    d, hidden = p["W1"].shape if p["W1"].ndim == 2 else (None, None)
    if hidden is None or p["b1"].shape != (hidden,) or p["W2"].ndim != 2 \
            or p["W2"].shape[0] != hidden or p["b2"].shape != (p["W2"].shape[1],):
        shapes = {k: v.shape for k, v in p.items()}
        raise ValueError(f"params have inconsistent shapes {shapes}: need W1 (d, h), b1 (h,), "
                         "W2 (h, k), b2 (k,)")
    return p


def init_mlp(n_inputs: int, hidden_units: int, n_outputs: int, *, seed: int = 0) -> Params:
    """Glorot-uniform weights and zero biases (Keras's ``Dense`` defaults), as float64."""
    n_inputs = positive_int("n_inputs", n_inputs)
    hidden_units = positive_int("hidden_units", hidden_units)
    n_outputs = positive_int("n_outputs", n_outputs)
    rng = np.random.default_rng(positive_int("seed", seed, allow_zero=True))

    def glorot(fan_in: int, fan_out: int) -> np.ndarray:
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=(fan_in, fan_out))

    return {"W1": glorot(n_inputs, hidden_units), "b1": np.zeros(hidden_units),
            "W2": glorot(hidden_units, n_outputs), "b2": np.zeros(n_outputs)}


def forward(params: Mapping[str, np.ndarray], x: object, *,
            activation: str = "tanh") -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Forward pass: return the output ``o`` (logits or predictions) and the cache.

    The cache holds the input ``x``, the pre-activation ``a`` and the hidden activation
    ``h``: everything :func:`backward` needs, computed once.
    """
    p = _check_params(params)
    f, _ = _activation(activation)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != p["W1"].shape[0]:
        raise ValueError(f"x must have shape (n, {p['W1'].shape[0]}), got {x.shape}")
    a = x @ p["W1"] + p["b1"]
    h = f(a)
    out = h @ p["W2"] + p["b2"]
    return out, {"x": x, "a": a, "h": h}


def output_loss(out: object, y: object, *, loss: str = "mse") -> tuple[float, np.ndarray]:
    """The loss of the outputs and its gradient ``∂L/∂o``, averaged over examples as Keras does.

    ``mse``: :math:`L=\\overline{(o-y)^2}` over all elements, ``∂L/∂o = 2(o-y)/o.size``.
    ``categorical_crossentropy``: softmax cross-entropy on logits ``o`` with one-hot ``y``,
    ``∂L/∂o = (softmax(o) - y)/n``.
    """
    out = np.asarray(out, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if y.shape != out.shape:
        raise ValueError(f"y has shape {y.shape} but the network outputs {out.shape}")
    if loss == "mse":
        diff = out - y
        return float(np.mean(diff**2)), 2.0 * diff / diff.size
    if loss == "categorical_crossentropy":
        logp = log_softmax(out)
        n = out.shape[0]
        return float(-(y * logp).sum() / n), (np.exp(logp) - y) / n
    raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")


def backward(params: Mapping[str, np.ndarray], cache: Mapping[str, np.ndarray],
             d_out: object, *, activation: str = "tanh") -> Params:
    """Backward pass: gradients of the loss w.r.t. ``W1, b1, W2, b2`` from ``∂L/∂o``.

    The chain rule, one layer at a time:
    ``dW2 = hᵀ·do``, ``db2 = Σ do``, ``dh = do·W2ᵀ``, ``da = dh ⊙ f'(a)``,
    ``dW1 = xᵀ·da``, ``db1 = Σ da``.
    """
    p = _check_params(params)
    _, f_prime = _activation(activation)
    missing = [k for k in ("x", "a", "h") if k not in cache]
    if missing:
        raise ValueError(f"cache is missing {missing}; pass the cache returned by forward()")
    x, a, h = cache["x"], cache["a"], cache["h"]
    d_out = np.asarray(d_out, dtype=np.float64)
    if d_out.shape != (h.shape[0], p["W2"].shape[1]):
        raise ValueError(f"d_out must have shape {(h.shape[0], p['W2'].shape[1])}, "
                         f"got {d_out.shape}")
    d_h = d_out @ p["W2"].T
    d_a = d_h * f_prime(a, h)
    return {"W1": x.T @ d_a, "b1": d_a.sum(axis=0), "W2": h.T @ d_out, "b2": d_out.sum(axis=0)}


def loss_and_grads(params: Mapping[str, np.ndarray], x: object, y: object, *,
                   loss: str = "mse", activation: str = "tanh") -> tuple[float, Params]:
    """Forward pass, loss, and backward pass in one call: ``(L, {name: ∂L/∂name})``."""
    out, cache = forward(params, x, activation=activation)
    value, d_out = output_loss(out, y, loss=loss)
    return value, backward(params, cache, d_out, activation=activation)


def numerical_gradient(f: Callable[..., float], params: object, *,
                       h: float = 1e-6) -> np.ndarray | Params:
    """Central finite differences ``(f(θ+h·e_j) − f(θ−h·e_j)) / 2h`` for every component.

    ``params`` is one array (``f`` takes an array) or a dict of arrays (``f`` takes the
    dict); the result has the same structure. Truncation error is O(h²), rounding error
    O(ε·|f|/h); ``h ≈ 1e-6`` balances the two in float64 for well-scaled problems.
    """
    function("f", f)
    h = nonnegative("h", h, positive=True)
    if isinstance(params, Mapping):
        theta = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
        grads = {}
        for name, arr in theta.items():
            grads[name] = _central_differences(lambda _a: f(theta), arr, h)
        return grads
    arr = np.array(params, dtype=np.float64)
    return _central_differences(f, arr, h)


def _central_differences(f: Callable[[np.ndarray], float], arr: np.ndarray,
                         h: float) -> np.ndarray:
    """Perturb ``arr`` in place one element at a time (restored after each)."""
    grad = np.zeros_like(arr)
    flat, g = arr.reshape(-1), grad.reshape(-1)
    for j in range(flat.size):
        old = flat[j]
        flat[j] = old + h
        up = float(f(arr))
        flat[j] = old - h
        down = float(f(arr))
        flat[j] = old
        g[j] = (up - down) / (2.0 * h)
    return grad


def least_squares(x: object, y: object, *, intercept: bool = True) -> np.ndarray:
    """The least-squares coefficients ``argmin_θ ‖Xθ − y‖²`` via ``np.linalg.lstsq``.

    ``x`` has shape ``(n,)`` or ``(n, d)``; ``y`` has shape ``(n,)`` or ``(n, 1)``. With
    ``intercept=True`` a column of ones is prepended, so the result is
    ``[θ0, θ1, …, θd]`` (intercept first), as in the chapter's notation.
    """
    intercept = flag("intercept", intercept)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError(f"x must have shape (n,) or (n, d), got {x.shape}")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or len(y) != len(x):
        raise ValueError(f"y must have shape ({len(x)},) or ({len(x)}, 1) to match x, "
                         f"got {y.shape}")
    design = np.hstack([np.ones((len(x), 1)), x]) if intercept else x
    if len(x) < design.shape[1]:
        raise ValueError(f"x has {len(x)} rows but the fit needs at least {design.shape[1]}")
    theta, *_ = np.linalg.lstsq(design, y, rcond=None)
    return theta
