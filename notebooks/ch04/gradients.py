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
# (ch04-gradients)=
# # Gradients and gradient descent
#
# Training is minimization, and the gradient is the tool: it says, for each parameter, how
# fast the loss changes when that parameter moves. This section (source §2.3.2) computes a
# gradient by hand, checks it with finite differences, the check every hand-written
# gradient in this book goes through, and follows gradient descent across the contour
# lines of a two-parameter function. Everything here is plain NumPy.

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
seed = 0                              # every random draw follows from it
n_points = 200                        # random points where the gradient is checked
fd_step = 1e-6                        # step h of the central finite differences
learning_rates = [0.02, 0.1, 0.3]     # step sizes alpha compared on the contour plot
n_steps = 300                         # gradient-descent steps per learning rate
start = [-2.0, 2.0]                   # starting point of gradient descent

# %% [markdown]
# ## Set-up

# %%
import numpy as np
import pandas as pd

from scalekit import backprop, compare, env, plots, report

env.seed_everything(seed)   # no TensorFlow in this section, only NumPy
plots.set_theme()
rng = np.random.default_rng(seed)

# %% [markdown]
# ## The gradient is the vector of partial derivatives
#
# For a loss $J(\theta)$ of parameters $\theta=(\theta_1,\dots,\theta_n)$,
#
# $$
# \nabla_\theta J(\theta) = \left(\frac{\partial J}{\partial\theta_1},
#   \frac{\partial J}{\partial\theta_2}, \dots, \frac{\partial J}{\partial\theta_n}\right),
# $$
#
# where $\partial J/\partial\theta_j$ is the derivative **of the loss with respect to
# parameter $\theta_j$**: how fast $J$ changes when only $\theta_j$ moves. (The source's
# prose, "每个分量表示模型参数对损失函数的偏导数" (each component is the partial derivative
# of the model parameter with respect to the loss), has it backwards; its formula is
# right.) The gradient points in the direction of steepest *ascent*, so the
# gradient-descent step goes the other way:
#
# $$
# \theta \leftarrow \theta - \alpha\,\nabla_\theta J(\theta),
# $$
#
# with learning rate $\alpha>0$. Our example function has a curved valley, like a loss
# surface, and its minimum at $\theta^\star=(1, \tfrac14)$ where $J=0$:
#
# $$
# J(u, v) = \tfrac12 (u-1)^2 + 3\left(v - \tfrac{u^2}{4}\right)^2 .
# $$
#
# By the chain rule, with $r = v - u^2/4$,
#
# $$
# \frac{\partial J}{\partial u} = (u - 1) - 3u\,r, \qquad
# \frac{\partial J}{\partial v} = 6\,r .
# $$

# %%
def loss(theta: np.ndarray) -> float:
    u, v = theta
    return float(0.5 * (u - 1) ** 2 + 3 * (v - u**2 / 4) ** 2)


def grad(theta: np.ndarray) -> np.ndarray:
    u, v = theta
    r = v - u**2 / 4
    return np.array([(u - 1) - 3 * u * r, 6 * r])


grad(np.array(start))

# %% [markdown]
# (ch04-finite-differences)=
# ## Checking a gradient with central finite differences
#
# The definition of the derivative gives a check that needs nothing but the function:
#
# $$
# \frac{\partial J}{\partial\theta_j} \approx
#   \frac{J(\theta + h\,e_j) - J(\theta - h\,e_j)}{2h},
# $$
#
# with $e_j$ the $j$-th unit vector. The error of this *central* difference falls like
# $h^2$ (the one-sided $(J(\theta+he_j)-J(\theta))/h$ only like $h$) until rounding, of
# size $\varepsilon_{\text{mach}}|J|/h$, takes over.
# `scalekit.backprop.numerical_gradient` implements it; `compare.max_rel_diff(a, b)`
# $=\max_j|a_j-b_j| / \max_j\max(|a_j|,|b_j|)$ compares two gradients (the one difference
# measure the whole book uses). We compare the hand-derived gradient with the numerical
# one at {glue:text}`gd_fd_n_points` random points.

# %%
points = rng.uniform(-3, 3, size=(n_points, 2))
diffs = [compare.max_rel_diff(grad(p), backprop.numerical_gradient(loss, p, h=fd_step))
         for p in points]

# %%
report.record("gd", fd_n_points=n_points, fd_max_rel_diff=np.max(diffs),
              fd_median_rel_diff=np.median(diffs))

# %% [markdown]
# The largest relative difference is {glue:text}`gd_fd_max_rel_diff:.1e` (median
# {glue:text}`gd_fd_median_rel_diff:.1e`): the hand-derived gradient is right. A wrong
# sign or a missing factor would show up as a difference of order 1.
#
# How small should $h$ be? Too large and the truncation error dominates, too small and
# rounding does. The figure sweeps $h$ at one point for both difference formulas.

# %%
p0 = points[0]
exact = grad(p0)
steps = np.logspace(-14, -1, 40)


def forward_difference(f, theta, h):
    return np.array([(f(theta + h * e) - f(theta)) / h for e in np.eye(len(theta))])


sweep = pd.DataFrame(
    [{"h": h, "formula": name,
      "relative error": max(compare.max_rel_diff(exact, g), 1e-17)}
     for h in steps
     for name, g in [("central", backprop.numerical_gradient(loss, p0, h=float(h))),
                     ("forward", forward_difference(loss, p0, h))]])
best = sweep[sweep["formula"] == "central"].sort_values("relative error").iloc[0]

# %%
report.record("gd", fd_best_h=best["h"], fd_best_error=best["relative error"])

# %% tags=["remove-cell"]
fig, ax = plots.subplots(height=3.6)
plots.loglog(sweep, "h", "relative error", hue="formula", ax=ax,
             title="Finite-difference error: truncation vs rounding",
             xlabel="step h", ylabel="relative error of the gradient")
report.figure("gd_fd_sweep_fig", fig)

# %% [markdown]
# ```{glue:figure} gd_fd_sweep_fig
# :alt: Relative error of the finite-difference gradient against the step h, both on log scales; the central formula's error falls with slope 2 and the forward formula's with slope 1 as h shrinks, until both rise again with slope minus one below a best h near 1e-5 to 1e-8.
# :name: fig-gd-fd-sweep
#
# Error of central and forward differences against the step $h$ at one point.
# ```
#
# The central difference is most accurate near $h\approx$ {glue:text}`gd_fd_best_h:.0e`
# (relative error {glue:text}`gd_fd_best_error:.0e`); to the right of the minimum the
# slope is 2 (truncation, $\propto h^2$) for the central formula and 1 for the forward
# one, to the left it is $-1$ (rounding, $\propto 1/h$). Finite differences cost two
# evaluations of $J$ *per parameter*, which is why they check gradients but never train
# networks: {ref}`backpropagation <ch04-backprop>` gets all of them for the price of
# about one extra pass.
#
# ## Gradient descent on the contour plot
#
# Starting from $\theta=$ `start`, we take {glue:text}`gd_n_steps` steps of
# $\theta\leftarrow\theta-\alpha\nabla J$ for each learning rate, and also check, at the
# random points, that a small step against the gradient lowers $J$ while a step *along*
# it raises $J$. That second check is the whole point of the sign, and
# {ref}`the worked example <ch04-seed-sign>` shows what happens when it is wrong.

# %%
def descend(alpha: float) -> np.ndarray:
    path = [np.array(start, dtype=float)]
    for _ in range(n_steps):
        nxt = path[-1] - alpha * grad(path[-1])
        if not np.all(np.isfinite(nxt)) or np.abs(nxt).max() > 1e6:
            break                                            # diverged: stop drawing
        path.append(nxt)
    return np.array(path)


paths = {alpha: descend(alpha) for alpha in learning_rates}
minimum = np.array([1.0, 0.25])                               # where J = 0
summary = pd.DataFrame([{"alpha": a, "steps taken": len(p) - 1, "final J": loss(p[-1]),
                         "distance to minimum": float(np.linalg.norm(p[-1] - minimum)),
                         "diverged": len(p) - 1 < n_steps} for a, p in paths.items()])
report.table(summary, digits=3, index=False)

# %% [markdown]
# How large may $\alpha$ be? Near the minimum $J$ is close to a quadratic whose Hessian
# $H$ we get by finite differences of `grad`; gradient descent on a quadratic is stable
# only for $\alpha < 2/\lambda_{\max}(H)$.

# %%
hessian = np.stack([backprop.numerical_gradient(lambda t, i=i: grad(t)[i], minimum)
                    for i in range(2)])
alpha_limit = 2.0 / np.linalg.eigvalsh(hessian).max()
report.record("gd", alpha_limit=alpha_limit)

# %% tags=["remove-input"]
small = 1e-4
mid = summary.iloc[len(summary) // 2]
largest = summary.iloc[-1]
report.record(
    "gd",
    n_steps=n_steps,
    descent_fraction=np.mean([loss(p - small * grad(p)) < loss(p) for p in points]),
    ascent_fraction=np.mean([loss(p + small * grad(p)) > loss(p) for p in points]),
    mid_alpha=mid["alpha"],
    mid_final_loss=mid["final J"],
    mid_distance=mid["distance to minimum"],
    largest_alpha=largest["alpha"],
    largest_alpha_diverged=bool(largest["diverged"]),
    largest_alpha_converged=bool(not largest["diverged"]
                                 and largest["distance to minimum"] < 1e-3),
    small_alpha=summary.iloc[0]["alpha"],
    small_distance=summary.iloc[0]["distance to minimum"],
)

# %% tags=["remove-cell"]
u, v = np.meshgrid(np.linspace(-3, 3, 300), np.linspace(-1.5, 3, 300))
surface = 0.5 * (u - 1) ** 2 + 3 * (v - u**2 / 4) ** 2
fig, ax = plots.subplots(height=4.8)
ax.contour(u, v, surface, levels=np.logspace(-2, 2, 15), colors="0.55", linewidths=0.7)
for alpha, path in paths.items():
    shown = path[np.all(np.abs(path) < 10, axis=1)]
    ax.plot(shown[:, 0], shown[:, 1], marker=".", ms=3, lw=1.2, label=f"α = {alpha:g}")
ax.plot(1.0, 0.25, marker="*", ms=14, color="black", ls="", label="minimum")
ax.set(xlim=(-3, 3), ylim=(-1.5, 3), xlabel="u", ylabel="v",
       title="Gradient descent follows −∇J across the contours")
ax.legend(loc="upper right")
report.figure("gd_contour_fig", fig)

# %% [markdown]
# ```{glue:figure} gd_contour_fig
# :alt: Contour lines of J over u from -3 to 3 and v from -1.5 to 3, a curved valley with its minimum marked by a star at (1, 0.25); the path of the middle learning rate reaches the star, the smallest rate's path stops short along the valley floor, and the largest rate's path leaves the plot.
# :name: fig-gd-contour
#
# Gradient-descent paths from `start` for each learning rate, over the contours of $J$.
# ```
#
# At every one of the random points a small step against the gradient lowered $J$
# (fraction {glue:text}`gd_descent_fraction:.2f`) and a step along it raised $J$
# (fraction {glue:text}`gd_ascent_fraction:.2f`). With $\alpha=$
# {glue:text}`gd_mid_alpha` descent ends {glue:text}`gd_mid_distance:.1e` from the
# minimum ($J=$ {glue:text}`gd_mid_final_loss:.1e`); with $\alpha=$
# {glue:text}`gd_small_alpha` it is still crawling along the valley floor,
# {glue:text}`gd_small_distance:.1e` away. The largest rate,
# {glue:text}`gd_largest_alpha`, is above the stability limit
# $2/\lambda_{\max} =$ {glue:text}`gd_alpha_limit:.3f` at the minimum, so it can never
# settle there: it overshoots the steep walls (from `start` it diverges: `diverged` is
# {glue:text}`gd_largest_alpha_diverged`). The largest stable rate is set by the
# curvature, a bound the worked example computes exactly for its quadratic loss.
#
# ## Summary
#
# * The hand-derived gradient agrees with central finite differences to
#   {glue:text}`gd_fd_max_rel_diff:.0e` at {glue:text}`gd_fd_n_points` random points.
# * The central difference is best near $h\approx$ {glue:text}`gd_fd_best_h:.0e`
#   (error {glue:text}`gd_fd_best_error:.0e`): truncation to the right, rounding to the
#   left.
# * A small step against the gradient lowered $J$ at a fraction
#   {glue:text}`gd_descent_fraction:.2f` of the points, a step along it raised $J$ at
#   {glue:text}`gd_ascent_fraction:.2f`.
# * With $\alpha=$ {glue:text}`gd_mid_alpha` gradient descent ends
#   {glue:text}`gd_mid_distance:.0e` from the minimum; the smallest rate is still
#   {glue:text}`gd_small_distance:.1e` away and the largest, above
#   $2/\lambda_{\max} =$ {glue:text}`gd_alpha_limit:.3f`, never settles.
#
# ## Exercises
#
# 1. Replace `grad` by a version with one sign flipped. How large does the
#    finite-difference check's relative difference become?
# 2. Compute the Hessian of $J$ at the minimum by hand and compare it with `hessian`.
#    Start at $(0, 2.5)$ with $\alpha = 0.3$: the path no longer diverges. Where does it
#    end up, and why not at the minimum?
# 3. Plot the loss against the step number for each $\alpha$ on a log scale. Which part
#    of the valley makes the small rate slow?
