# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# (ch04-backprop)=
# # Backpropagation by hand
#
# Backpropagation {cite:p}`rumelhart1986learning` is the chain rule applied to a network
# one layer at a time, from the loss back to the first weights, reusing the values the
# forward pass computed. This section (source §2.3.4) first corrects the source's
# chain-rule formula on a single neuron, then writes the forward and backward passes of a
# two-layer perceptron in NumPy and checks them against `tf.GradientTape` and against
# finite differences, and finally trains the network with its hand-made gradients.

# %% tags=["remove-cell"]
# Colab: install the book's helper package (and its pinned stack) when it is missing.
import importlib.util
import subprocess
import sys

REPO = "git+https://github.com/scaling-ai-book/scaling-ai-models"
if "google.colab" in sys.modules and importlib.util.find_spec("scalekit") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    f"scalekit[book] @ {REPO}"], check=True)

# %% tags=["parameters"]
seed = 0               # every random draw follows from it
n_samples = 64         # examples in the batch whose gradients are checked
hidden_units = 16      # width of the hand-written MLP's hidden layer
activation = "tanh"    # hidden activation of the trained MLP: tanh, sigmoid or relu
train_steps = 300      # full-batch gradient-descent steps with the hand-made gradients
learning_rate = 0.5    # their step size

# %% [markdown]
# ## Set-up

# %%
import numpy as np
import pandas as pd

from scalekit import backprop, compare, data, env, plots, report

tf = env.setup(seed=seed)
plots.set_theme()

split = data.load("wine", seed=seed)          # 13 standardized features, 3 classes
x = split.x_train[:n_samples].astype(np.float64)
y = np.eye(split.num_classes)[split.y_train[:n_samples]]

# %% [markdown]
# (ch04-chain-rule)=
# ## The chain rule for one neuron
#
# The source's model is one neuron, $\hat y_i = f(\theta\cdot x_i)$, with loss
# $J(\theta)=\sum_i \ell(y_i,\hat y_i)$, and it writes the gradient as
# $\nabla_\theta J = \nabla\ell(y_i,\hat y_i)\cdot\nabla f(\theta\cdot x_i)$. That is not
# the chain rule: $\theta$ enters through $\theta\cdot x_i$, whose gradient with respect
# to $\theta$ is $x_i$, and $J$ is a sum over examples. Writing $\ell'$ for the derivative
# of $\ell$ in its second argument,
#
# $$
# \nabla_\theta J(\theta) = \sum_{i=1}^{n}
#   \ell'(y_i, \hat y_i)\; f'(\theta\cdot x_i)\; x_i .
# $$
#
# Each term is a vector of the same size as $\theta$; the source's expression is a scalar
# per example. We check both against `tf.GradientTape` for a sigmoid neuron with the
# squared loss $\ell = \frac12(\hat y - y)^2$, so $\ell' = \hat y - y$ and
# $f' = \sigma(1-\sigma)$, on the wine batch (target: "is it class 0").

# %%
rng = np.random.default_rng(seed)
theta = rng.normal(0.0, 0.5, size=x.shape[1])
target = y[:, 0]

theta_tf = tf.Variable(theta)
with tf.GradientTape() as tape:
    y_hat_tf = tf.sigmoid(tf.linalg.matvec(tf.constant(x), theta_tf))
    j_tf = tf.reduce_sum(0.5 * (y_hat_tf - target) ** 2)
tape_grad = tape.gradient(j_tf, theta_tf).numpy()

s = 1.0 / (1.0 + np.exp(-(x @ theta)))                   # f(θ·x_i)
correct = ((s - target) * s * (1 - s)) @ x               # Σ ℓ'·f'(θ·x_i)·x_i
per_example_source = (s - target) * s * (1 - s)          # ∇ℓ·∇f(θ·x_i): one number each
source = np.full_like(theta, per_example_source.sum())   # summed, copied to θ's shape
report.table(pd.DataFrame({"tf.GradientTape": tape_grad,
                           "∇ℓ·f′(θ·x)·x (correct)": correct,
                           "∇ℓ·∇f(θ·x) (source)": source}).head(6), digits=4)

# %%
report.record("backprop",
              chain_correct_rel_diff=compare.max_rel_diff(correct, tape_grad),
              chain_source_rel_diff=compare.max_rel_diff(source, tape_grad))

# %% [markdown]
# The corrected formula matches the tape to
# {glue:text}`backprop_chain_correct_rel_diff:.1e` relative; the source's, even summed
# over examples and copied into every component, is off by
# {glue:text}`backprop_chain_source_rel_diff:.2f` (a relative difference of order one):
# the factor $x_i$ is what makes each parameter's gradient different.
#
# ## A two-layer perceptron, forward
#
# The network maps a batch $X$ ($n\times d$) to logits $O$ ($n\times K$) through $H$
# hidden units:
#
# $$
# A = XW_1 + b_1,\qquad H = \tanh(A),\qquad O = HW_2 + b_2,
# $$
#
# and the loss is the softmax cross-entropy of {ref}`the losses section <ch04-stable-ce>`,
# averaged over the batch,
# $L = -\frac1n\sum_{i,k} Y_{ik}\log\operatorname{softmax}(O_i)_k$. The forward pass
# **caches** $X$, $A$ and $H$: the backward pass needs them, and recomputing them would
# double the cost.

# %%
params = backprop.init_mlp(x.shape[1], hidden_units, split.num_classes, seed=seed)
params = {k: v + rng.normal(0.0, 0.1, size=v.shape)        # non-zero biases too
          for k, v in params.items()}


def forward(p, x):
    a = x @ p["W1"] + p["b1"]
    h = np.tanh(a)
    o = h @ p["W2"] + p["b2"]
    return o, {"x": x, "a": a, "h": h}


def softmax_ce(o, y):
    z = o - o.max(axis=1, keepdims=True)                   # stable log-softmax
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -(y * log_p).sum() / len(y), log_p


out, cache = forward(params, x)
L, log_p = softmax_ce(out, y)
{name: value.shape for name, value in cache.items()} | {"o": out.shape, "L": float(L)}

# %% [markdown]
# ## … and backward
#
# The chain rule, applied from the loss back, one line per node. For the softmax
# cross-entropy the gradient with respect to the logits is the famously simple
# $\partial L/\partial O = (\operatorname{softmax}(O) - Y)/n$; after that every step
# multiplies by the local derivative of one operation, using the cached values:
#
# $$
# \begin{aligned}
# \frac{\partial L}{\partial W_2} &= H^\top \frac{\partial L}{\partial O}, &
# \frac{\partial L}{\partial b_2} &= \sum_i \frac{\partial L}{\partial O_i}, &
# \frac{\partial L}{\partial H} &= \frac{\partial L}{\partial O} W_2^\top,\\
# \frac{\partial L}{\partial A} &= \frac{\partial L}{\partial H}\odot\left(1-H^2\right), &
# \frac{\partial L}{\partial W_1} &= X^\top \frac{\partial L}{\partial A}, &
# \frac{\partial L}{\partial b_1} &= \sum_i \frac{\partial L}{\partial A_i}.
# \end{aligned}
# $$
#
# ($\tanh' = 1-\tanh^2$, so the derivative comes free from the cached $H$.) The single
# neuron's $f'(\theta\cdot x)\,x$ is visible here: $1-H^2$ is $f'$, and $X^\top$ is the
# $x$.

# %%
def backward(p, cache, d_out):
    d_h = d_out @ p["W2"].T
    d_a = d_h * (1.0 - cache["h"] ** 2)
    return {"W1": cache["x"].T @ d_a, "b1": d_a.sum(axis=0),
            "W2": cache["h"].T @ d_out, "b2": d_out.sum(axis=0)}


d_out = (np.exp(log_p) - y) / len(y)
hand = backward(params, cache, d_out)
{name: g.shape for name, g in hand.items()}

# %% [markdown]
# ## Checking against `tf.GradientTape`
#
# We load the same weights into a Keras model of the same shape, in float64 so that the
# comparison measures the algebra rather than float32 rounding, and let
# `tf.GradientTape` differentiate Keras's own `CategoricalCrossentropy(from_logits=True)`.
# The same code (with argument checks and the other activations) is
# `scalekit.backprop.loss_and_grads`, which later chapters use; it is checked too.

# %%
model = tf.keras.Sequential([
    tf.keras.Input(shape=(x.shape[1],), dtype="float64"),
    tf.keras.layers.Dense(hidden_units, activation="tanh", dtype="float64"),
    tf.keras.layers.Dense(split.num_classes, dtype="float64"),
])
model.set_weights([params["W1"], params["b1"], params["W2"], params["b2"]])
keras_loss = tf.keras.losses.CategoricalCrossentropy(from_logits=True)
with tf.GradientTape() as tape:
    tape_loss = keras_loss(y, model(x))
tape_grads = dict(zip(backprop.PARAM_NAMES,
                      [g.numpy() for g in tape.gradient(tape_loss,
                                                        model.trainable_variables)],
                      strict=True))

_, helper = backprop.loss_and_grads(params, x, y, loss="categorical_crossentropy",
                                    activation="tanh")
check = pd.DataFrame([{"parameter": k, "shape": str(hand[k].shape),
                       "hand vs tape": compare.max_rel_diff(hand[k], tape_grads[k]),
                       "scalekit vs tape": compare.max_rel_diff(helper[k],
                                                                tape_grads[k])}
                      for k in hand])
report.table(check, digits=2, index=False)

# %% tags=["remove-input"]
report.record(
    "backprop",
    max_rel_diff=max(compare.max_rel_diff(hand, tape_grads),
                     compare.max_rel_diff(helper, tape_grads)),
    loss_diff=compare.max_abs_diff(L, float(tape_loss)),
)

# %% [markdown]
# Every gradient agrees with the tape to within {glue:text}`backprop_max_rel_diff:.1e`
# relative (and the losses to {glue:text}`backprop_loss_diff:.1e`): the six lines of the
# backward pass *are* what TensorFlow's automatic differentiation computes.
#
# As an independent check that involves no derivative at all, central finite differences
# of the loss ({ref}`previous section <ch04-finite-differences>`) over all
# {glue:text}`backprop_n_params` parameters, for each activation of the helper:

# %%
n_params = sum(v.size for v in params.values())
fd_rows = []
for act in backprop.ACTIVATIONS:
    def objective(p, act=act):
        return backprop.loss_and_grads(p, x, y, loss="categorical_crossentropy",
                                       activation=act)[0]
    _, g = backprop.loss_and_grads(params, x, y, loss="categorical_crossentropy",
                                   activation=act)
    numeric = backprop.numerical_gradient(objective, params)
    fd_rows.append({"activation": act,
                    "max relative difference": compare.max_rel_diff(g, numeric)})
fd = pd.DataFrame(fd_rows)
report.table(fd, digits=2, index=False)

# %% tags=["remove-input"]
report.record(
    "backprop",
    n_params=n_params,
    fd_max_rel_diff=fd["max relative difference"].max(),
    fd_forward_passes=2 * n_params,
)

# %% [markdown]
# Finite differences agree to {glue:text}`backprop_fd_max_rel_diff:.1e` relative (ReLU's
# kink at zero is only a problem if a pre-activation lies within $h$ of it). They needed
# {glue:text}`backprop_fd_forward_passes` forward passes; backpropagation needed one
# forward and one backward pass. That ratio, which grows with the parameter count, is why
# every deep-learning framework implements reverse-mode differentiation.
#
# ## Training with the hand-made gradients
#
# Gradient descent with these gradients (the hidden activation is the parameter
# `activation`), on all wine training examples, then accuracy on the held-out test
# split.

# %%
x_train = split.x_train.astype(np.float64)
y_train = np.eye(split.num_classes)[split.y_train]
p = backprop.init_mlp(x.shape[1], hidden_units, split.num_classes, seed=seed)
history = []
for _ in range(train_steps):
    value, g = backprop.loss_and_grads(p, x_train, y_train,
                                       loss="categorical_crossentropy",
                                       activation=activation)
    history.append(value)
    p = {k: p[k] - learning_rate * g[k] for k in p}
logits_test, _ = backprop.forward(p, split.x_test, activation=activation)
accuracy = float(np.mean(logits_test.argmax(axis=1) == split.y_test))

# %% tags=["remove-input"]
report.record(
    "backprop",
    train_loss_first=history[0],
    train_loss_last=history[-1],
    test_accuracy=accuracy,
    train_steps=train_steps,
)

# %% tags=["remove-cell"]
fig, ax = plots.subplots(height=3.6)
ax.plot(np.arange(1, train_steps + 1), history)
ax.set(yscale="log", xlabel="gradient-descent step",
       ylabel="training cross-entropy (nats)",
       title=f"Hand-written backprop trains the MLP ({hidden_units} hidden units)")
report.figure("backprop_training_fig", fig)

# %% [markdown]
# ```{glue:figure} backprop_training_fig
# :alt: Training cross-entropy on a log scale against the gradient-descent step; it falls steadily, by orders of magnitude.
# :name: fig-backprop-training
#
# Training loss of the two-layer perceptron trained with the hand-written gradients.
# ```
#
# The training loss fell from {glue:text}`backprop_train_loss_first:.3f` to
# {glue:text}`backprop_train_loss_last:.4f` nats in {glue:text}`backprop_train_steps`
# steps, and the network classifies {glue:text}`backprop_test_accuracy:.1%` of the unseen
# test wines correctly.
#
# ## Summary
#
# * The source's chain rule misses the inner derivative $x_i$: it is off from
#   `tf.GradientTape` by {glue:text}`backprop_chain_source_rel_diff:.2f`, the corrected
#   one by {glue:text}`backprop_chain_correct_rel_diff:.0e`.
# * Six lines of NumPy backpropagation equal `tf.GradientTape` to
#   {glue:text}`backprop_max_rel_diff:.0e` and finite differences to
#   {glue:text}`backprop_fd_max_rel_diff:.0e`, for all three activations.
# * Finite differences needed {glue:text}`backprop_fd_forward_passes` forward passes for
#   {glue:text}`backprop_n_params` parameters; backpropagation one forward and one
#   backward pass.
# * Trained with its own gradients the network reaches
#   {glue:text}`backprop_test_accuracy:.1%` test accuracy.
#
# ## Exercises
#
# 1. Switch `activation` to `"sigmoid"` and `"relu"`. Which local derivative replaces
#    $1-H^2$ in the backward pass, and what does `relu` need from the cache that `tanh`
#    does not?
# 2. Add a second hidden layer to `forward` and `backward` and check it against a
#    three-layer Keras model with `tf.GradientTape`.
# 3. Rerun the `tf.GradientTape` comparison with float32 layers. How large is the relative
#    difference now, and why?
