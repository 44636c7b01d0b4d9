"""First-order optimizers written from scratch in NumPy (no TensorFlow), and a training loop.

The update rules follow ``tf_keras`` 2.21 (the Keras 2 behind ``tf.keras`` in this book) line
by line, including where epsilon sits and how the state starts, so that Chapter 3 can check
them *step by step* against ``tf.keras.optimizers``. Where Keras departs from the paper that
introduced a method, the docstring says so.

* :class:`SGD`: plain (stochastic) gradient descent, optionally with momentum or Nesterov.
* :class:`AdaGrad`, :class:`RMSprop`, :class:`Adam`: the adaptive methods.
* :func:`minimize`: full-batch gradient descent, SGD (one example) or mini-batch SGD,
  depending only on ``batch_size``, with the loss recorded against step, epoch and time.

How far two trajectories are apart is measured with :func:`scalekit.compare.max_rel_diff`,
the book's one difference measure. Chapter 3 (``notebooks/ch03/optimizers.py``) uses this
module.

**One numerical detail of Keras** is reproduced by default (``keras_rounding=True``): Keras
holds the learning rate in a float32 variable, and ``tf.cast(python_float, tf.float64)``
first makes a float32 constant, so the learning rate, SGD's momentum and Adam's β₁, β₂
inside the bias corrections are rounded to float32 even for float64 parameters. With
``keras_rounding=False`` every constant is used at full precision; the two differ by about
1e-6 relative after 100 Adam steps (Chapter 3 measures it).

Every optimizer updates a list of float NumPy arrays *in place* (``apply``), as Keras's
``apply_gradients`` updates variables, and counts its steps in ``iterations``. The learning
rate is a number or a callable ``step -> rate`` (a schedule; Keras schedules work too).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from scalekit._validate import flag, fraction, function, nonnegative, positive_int

LearningRate = float | Callable[[int], float]
LossGrad = Callable[[list[np.ndarray], np.ndarray], tuple[float, list[np.ndarray]]]

__all__ = ["SGD", "AdaGrad", "Adam", "Optimizer", "RMSprop", "minimize"]


class Optimizer:
    """Common machinery: learning rate (number or schedule), step counter, per-array state.

    Args:
        learning_rate: a number >= 0, or a callable ``step -> rate`` evaluated before
            every step at ``iterations`` (0 for the first step).
        keras_rounding: round the learning rate and the constants Keras casts through
            float32 (see the module docstring) to float32, as Keras does.

    Raises:
        ValueError: a negative or NaN learning rate, or a hyper-parameter out of range
            (each subclass names the argument).
        TypeError: a hyper-parameter of the wrong type.

    Subclasses implement :meth:`_update`, which changes one parameter array in place.
    """

    def __init__(self, learning_rate: LearningRate, *, keras_rounding: bool = True) -> None:
        self.keras_rounding = flag("keras_rounding", keras_rounding)
        if callable(learning_rate):
            self._schedule: Callable[[int], float] | None = learning_rate
            self._lr = float("nan")
        else:
            self._schedule = None
            self._lr = nonnegative("learning_rate", learning_rate)
        self.iterations = 0
        self._shapes: list[tuple[int, ...]] | None = None

    @property
    def learning_rate(self) -> float:
        """The rate the next step will use (a schedule is evaluated at ``iterations``)."""
        if self._schedule is None:
            return self._lr
        lr = float(self._schedule(self.iterations))
        if not lr >= 0:
            raise ValueError(f"learning_rate schedule returned {lr} at step {self.iterations}")
        return lr

    def _k(self, value: float) -> float:
        """``value`` as Keras sees it: rounded to float32 when ``keras_rounding`` is on."""
        return float(np.float32(value)) if self.keras_rounding else value

    def _build(self, params: list[np.ndarray]) -> None:
        """Create the optimizer's state for ``params`` (called once, on the first step)."""

    def _update(self, index: int, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        raise NotImplementedError

    def apply(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Take one step: update every array of ``params`` in place from its gradient.

        Raises:
            TypeError: a parameter is not a floating-point NumPy array.
            ValueError: ``grads`` does not match ``params`` in number or shapes, or the
                shapes differ from those of the first call.
        """
        params, grads = list(params), list(grads)
        if len(params) != len(grads):
            raise ValueError(f"grads has {len(grads)} arrays but params has {len(params)}")
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
                raise TypeError(f"params[{i}] must be a float NumPy array, got {type(p).__name__}")
            if np.shape(g) != p.shape:
                raise ValueError(f"grads[{i}] has shape {np.shape(g)}, params[{i}] {p.shape}")
        shapes = [p.shape for p in params]
        if self._shapes is None:
            self._shapes = shapes
            self._build(params)
        elif shapes != self._shapes:
            raise ValueError(f"params shapes {shapes} differ from the first step's {self._shapes}")
        lr = self._k(self.learning_rate)
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            self._update(i, p, np.asarray(g, dtype=p.dtype), lr)
        self.iterations += 1

    def __repr__(self) -> str:
        return f"{type(self).__name__}(iterations={self.iterations})"


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum, as ``tf.keras.optimizers.SGD``.

    Without momentum: ``θ ← θ − lr·g``. With momentum μ, Keras keeps a velocity that already
    contains the learning rate (Sutskever et al. 2013 form)::

        m ← μ·m − lr·g          (m starts at 0)
        θ ← θ + m               (classical momentum)
        θ ← θ + μ·m − lr·g      (nesterov=True, with the *new* m)

    Difference from Keras: ``momentum`` must lie in [0, 1) (Keras also accepts 1, which
    never forgets a gradient). With a schedule, the rate enters ``m`` at each step, so it is
    not the same as the "``v ← μv + g``; ``θ ← θ − lr·v``" form other libraries use.
    """

    def __init__(self, learning_rate: LearningRate = 0.01, momentum: float = 0.0,
                 nesterov: bool = False, *, keras_rounding: bool = True) -> None:
        super().__init__(learning_rate, keras_rounding=keras_rounding)
        self.momentum = fraction("momentum", momentum)
        self.nesterov = flag("nesterov", nesterov)
        self.m: list[np.ndarray] = []

    def _build(self, params: list[np.ndarray]) -> None:
        self.m = [np.zeros_like(p) for p in params]

    def _update(self, index: int, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        if self.momentum == 0.0:
            param -= lr * grad
            return
        mu = self._k(self.momentum)
        m = self.m[index]
        m *= mu
        m -= lr * grad
        if self.nesterov:
            param += mu * m - lr * grad
        else:
            param += m


class AdaGrad(Optimizer):
    """AdaGrad (Duchi et al. 2011), as ``tf.keras.optimizers.Adagrad``::

        G ← G + g²                  (G starts at initial_accumulator_value, not 0)
        θ ← θ − lr·g / √(G + ε)     (ε inside the square root)

    The paper writes ``lr·g / (δ + √G)`` with G starting at 0; Keras's start value 0.1 and
    ε inside the root keep the first steps from being huge.
    """

    def __init__(self, learning_rate: LearningRate = 0.001,
                 initial_accumulator_value: float = 0.1, epsilon: float = 1e-7, *,
                 keras_rounding: bool = True) -> None:
        super().__init__(learning_rate, keras_rounding=keras_rounding)
        self.initial_accumulator_value = nonnegative(
            "initial_accumulator_value", initial_accumulator_value)
        self.epsilon = nonnegative("epsilon", epsilon)
        self.accumulators: list[np.ndarray] = []

    def _build(self, params: list[np.ndarray]) -> None:
        self.accumulators = [np.full_like(p, self.initial_accumulator_value) for p in params]

    def _update(self, index: int, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        acc = self.accumulators[index]
        acc += grad * grad
        param -= lr * grad / np.sqrt(acc + self.epsilon)


class RMSprop(Optimizer):
    """RMSprop (Tieleman & Hinton's lecture), as ``tf.keras.optimizers.RMSprop``::

        v ← ρ·v + (1−ρ)·g²            (v starts at 0)
        a ← ρ·a + (1−ρ)·g             (centered=True only; a starts at 0)
        d ← v + ε   or   v − a² + ε   (centered)
        Δ ← lr·g / √d                 (ε inside the square root)
        θ ← θ − Δ,  or with momentum μ:  b ← μ·b + Δ;  θ ← θ − b
    """

    def __init__(self, learning_rate: LearningRate = 0.001, rho: float = 0.9,
                 momentum: float = 0.0, epsilon: float = 1e-7, centered: bool = False, *,
                 keras_rounding: bool = True) -> None:
        super().__init__(learning_rate, keras_rounding=keras_rounding)
        self.rho = fraction("rho", rho)
        self.momentum = fraction("momentum", momentum)
        self.epsilon = nonnegative("epsilon", epsilon)
        self.centered = flag("centered", centered)
        self.velocities: list[np.ndarray] = []
        self.average_gradients: list[np.ndarray] = []
        self.momentums: list[np.ndarray] = []

    def _build(self, params: list[np.ndarray]) -> None:
        self.velocities = [np.zeros_like(p) for p in params]
        self.average_gradients = [np.zeros_like(p) for p in params]
        self.momentums = [np.zeros_like(p) for p in params]

    def _update(self, index: int, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        v = self.velocities[index]
        v *= self.rho
        v += (1 - self.rho) * grad * grad
        if self.centered:
            a = self.average_gradients[index]
            a *= self.rho
            a += (1 - self.rho) * grad
            denominator = v - a * a + self.epsilon
        else:
            denominator = v + self.epsilon
        increment = lr * grad / np.sqrt(denominator)
        if self.momentum > 0:
            b = self.momentums[index]
            b *= self.momentum
            b += increment
            param -= b
        else:
            param -= increment


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015), as ``tf.keras.optimizers.Adam``::

        m ← β₁·m + (1−β₁)·g                    (first moment, an average of g)
        v ← β₂·v + (1−β₂)·g²                   (uncentred second moment, E[g²])
        α_t = lr·√(1−β₂ᵗ) / (1−β₁ᵗ)            (both bias corrections folded into the rate)
        θ ← θ − α_t·m / (√v + ε)

    This is the "efficient" form at the end of the paper's Section 2, in which ε plays the
    role of the paper's ε̂. With ``adaptive_epsilon=True`` (also a Keras option) ε is
    scaled by √(1−β₂ᵗ), which gives exactly the textbook rule θ ← θ − lr·m̂/(√v̂ + ε) with
    m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ). The two differ only while √v is comparable to ε.

    With constant ``lr``, ``m`` is ``−(1−β₁)/lr`` times the velocity ``u ← β₁·u − lr·g`` of
    :class:`SGD` with ``momentum=β₁``, and ``v`` is :class:`RMSprop`'s ``v`` with ``ρ=β₂``.
    ``v`` is not the variance of ``g``: it includes the squared mean.
    """

    def __init__(self, learning_rate: LearningRate = 0.001, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7,
                 adaptive_epsilon: bool = False, *, keras_rounding: bool = True) -> None:
        super().__init__(learning_rate, keras_rounding=keras_rounding)
        self.beta_1 = fraction("beta_1", beta_1)
        self.beta_2 = fraction("beta_2", beta_2)
        self.epsilon = nonnegative("epsilon", epsilon)
        self.adaptive_epsilon = flag("adaptive_epsilon", adaptive_epsilon)
        self.m: list[np.ndarray] = []
        self.v: list[np.ndarray] = []

    def _build(self, params: list[np.ndarray]) -> None:
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def _update(self, index: int, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        t = self.iterations + 1
        b1_power, b2_power = self._k(self.beta_1) ** t, self._k(self.beta_2) ** t
        alpha = lr * math.sqrt(1 - b2_power) / (1 - b1_power)
        eps = self.epsilon * math.sqrt(1 - b2_power) if self.adaptive_epsilon else self.epsilon
        m, v = self.m[index], self.v[index]
        m += (grad - m) * (1 - self.beta_1)
        v += (grad * grad - v) * (1 - self.beta_2)
        param -= m * alpha / (np.sqrt(v) + eps)



def minimize(
    loss_grad: LossGrad,
    params: Sequence[np.ndarray],
    optimizer: Optimizer,
    n_examples: int,
    *,
    steps: int,
    batch_size: int | None = None,
    seed: int = 0,
    record_every: int = 1,
    full_loss: Callable[[list[np.ndarray]], float] | None = None,
) -> pd.DataFrame:
    """Train ``params`` in place with ``optimizer``; return the recorded loss curve.

    ``loss_grad(params, idx)`` returns the mean loss over the examples ``idx`` and its
    gradient (one array per parameter). ``batch_size`` alone decides the method:

    * ``None`` (or ≥ ``n_examples``): full-batch gradient descent, every step sees all data;
    * ``1``: stochastic gradient descent on one example at a time;
    * anything between: mini-batch SGD.

    Stochastic runs visit the examples in a fresh random order each epoch (seeded by
    ``seed``); the last batch of an epoch may be smaller. The full-data loss is recorded at
    step 0, every ``record_every`` steps and at the end, against the step, the epochs of data
    seen and the seconds spent in gradient and update work (evaluation time excluded).
    Training stops early, with the last row recorded, if the loss becomes non-finite.

    ``full_loss(params)``, if given, computes the recorded loss instead of
    ``loss_grad(params, all_indices)[0]`` (useful when the gradient is expensive).

    Returns:
        A DataFrame with columns ``step``, ``epoch``, ``seconds``, ``loss``.

    Raises:
        ValueError: ``n_examples``, ``record_every`` or ``batch_size`` is below 1, or
            ``steps`` or ``seed`` is negative.
        TypeError: ``optimizer`` is not a :class:`Optimizer`, a count is not an int, or
            ``loss_grad``/``full_loss`` is not callable.
    """
    function("loss_grad", loss_grad)
    if full_loss is not None:
        function("full_loss", full_loss)
    n = positive_int("n_examples", n_examples)
    steps = positive_int("steps", steps, allow_zero=True)
    seed = positive_int("seed", seed, allow_zero=True)
    record_every = positive_int("record_every", record_every)
    if batch_size is not None:
        batch_size = positive_int("batch_size", batch_size)
    if not isinstance(optimizer, Optimizer):
        raise TypeError("optimizer must be a scalekit.optim.Optimizer, "
                        f"got {type(optimizer).__name__}")
    params = list(params)
    everything = np.arange(n)
    full = batch_size is None or batch_size >= n
    rng = np.random.default_rng(seed)

    def evaluate() -> float:
        if full_loss is not None:
            return float(full_loss(params))
        return float(loss_grad(params, everything)[0])

    rows = [{"step": 0, "epoch": 0.0, "seconds": 0.0, "loss": evaluate()}]
    seen, elapsed, order, cursor = 0, 0.0, everything, n
    for step in range(1, steps + 1):
        start = time.perf_counter()
        if full:
            idx = everything
        else:
            if cursor >= n:
                order, cursor = rng.permutation(n), 0
            idx = order[cursor:cursor + batch_size]
            cursor += batch_size
        _, grads = loss_grad(params, idx)
        optimizer.apply(params, grads)
        elapsed += time.perf_counter() - start
        seen += len(idx)
        if step % record_every == 0 or step == steps:
            loss = evaluate()
            rows.append({"step": step, "epoch": seen / n, "seconds": elapsed, "loss": loss})
            if not math.isfinite(loss):
                break
    return pd.DataFrame(rows, columns=["step", "epoch", "seconds", "loss"])
