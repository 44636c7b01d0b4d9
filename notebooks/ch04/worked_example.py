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
# (ch04-worked-example)=
# # The worked example: linear regression, sign corrected
#
# The source closes its mathematics (§2.3.5) with linear regression on house prices: a
# model, a loss, a gradient and an update rule. Its gradient has the wrong sign, so its
# update rule climbs the loss instead of descending it. This section derives the gradient,
# checks it three ways, shows in a cell what the source's sign does, trains with the
# correct one, and compares the result with the closed-form least-squares solution, the
# optimum against which every trainer in the book is measured.

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
seed = 0                 # every random draw follows from it
n_samples = 100          # houses in the data set
noise_std = 10.0         # standard deviation of the price noise
n_steps = 200_000        # gradient-descent steps on the raw data
source_sign_steps = 5    # steps taken with the source's sign
tolerance = 1e-3         # "converged": relative distance to the least-squares optimum

# %% [markdown]
# ## Set-up

# %%
import numpy as np
import pandas as pd

from scalekit import backprop, compare, data, env, plots, report

tf = env.setup(seed=seed)
plots.set_theme()

x2d, y2d = data.house_prices(n_samples, seed=seed, noise_std=noise_std)
x, y = x2d[:, 0], y2d[:, 0]

# %% tags=["remove-cell"]
report.record("we", n_samples=n_samples, noise_std=noise_std)

# %% [markdown]
# The data are the source's synthetic house prices (generated, not downloaded):
# {glue:text}`we_n_samples` areas $x\sim U(0,100)$ and prices
# $y = 2x + 3 + \varepsilon$ with $\varepsilon\sim\mathcal N(0,\sigma^2)$,
# $\sigma=$ {glue:text}`we_noise_std:.1f`.
#
# ## Model, loss and the gradient with the correct sign
#
# The model and loss are the source's:
#
# $$
# \hat y_i = \theta_0 + \theta_1 x_i, \qquad
# J(\theta_0,\theta_1) = \frac12\sum_{i=1}^{n}\left(y_i - \hat y_i\right)^2 .
# $$
#
# By the chain rule, $\partial J/\partial\hat y_i = -(y_i-\hat y_i) = \hat y_i - y_i$,
# and $\partial\hat y_i/\partial\theta_0 = 1$, $\partial\hat y_i/\partial\theta_1 = x_i$,
# so
#
# $$
# \frac{\partial J}{\partial\theta_0} = \sum_{i=1}^{n}\left(\hat y_i - y_i\right), \qquad
# \frac{\partial J}{\partial\theta_1} = \sum_{i=1}^{n}\left(\hat y_i - y_i\right)x_i .
# $$
#
# The source writes $\sum_i (y_i-\hat y_i)$ and $\sum_i (y_i-\hat y_i)x_i$: the minus sign
# from differentiating $y_i - \hat y_i$ is lost. We compare both with central finite
# differences and with `tf.GradientTape` at a random point.

# %%
def loss(theta):
    return 0.5 * float(np.sum((y - (theta[0] + theta[1] * x)) ** 2))


def gradient(theta):                       # the corrected formula
    r = (theta[0] + theta[1] * x) - y      # ŷ - y
    return np.array([r.sum(), r @ x])


def source_gradient(theta):                # the source's formula
    r = y - (theta[0] + theta[1] * x)      # y - ŷ
    return np.array([r.sum(), r @ x])


rng = np.random.default_rng(seed)
theta_probe = rng.normal(0.0, 2.0, size=2)
numeric = backprop.numerical_gradient(loss, theta_probe, h=1e-5)
theta_tf = tf.Variable(theta_probe)
with tf.GradientTape() as tape:
    j_tf = 0.5 * tf.reduce_sum((y - (theta_tf[0] + theta_tf[1] * x)) ** 2)
tape_grad = tape.gradient(j_tf, theta_tf).numpy()
report.table(pd.DataFrame({"finite differences": numeric, "tf.GradientTape": tape_grad,
                           "Σ(ŷ−y), Σ(ŷ−y)x (corrected)": gradient(theta_probe),
                           "Σ(y−ŷ), Σ(y−ŷ)x (source)": source_gradient(theta_probe)},
                          index=["∂J/∂θ0", "∂J/∂θ1"]), digits=6)

# %% tags=["remove-input"]
report.record(
    "we",
    grad_fd_rel_diff=compare.max_rel_diff(gradient(theta_probe), numeric),
    grad_tape_rel_diff=compare.max_rel_diff(gradient(theta_probe), tape_grad),
    source_grad_fd_rel_diff=compare.max_rel_diff(source_gradient(theta_probe), numeric),
)

# %% [markdown]
# The corrected gradient agrees with finite differences to
# {glue:text}`we_grad_fd_rel_diff:.1e` and with the tape to
# {glue:text}`we_grad_tape_rel_diff:.1e`, relative. The source's is the exact negative:
# relative difference {glue:text}`we_source_grad_fd_rel_diff:.2f`.
#
# ## How large may the step be?
#
# $J$ is quadratic, $J(\theta) = \frac12\lVert X\theta - y\rVert^2$ with design matrix
# $X = [\mathbf 1, x]$, and its Hessian is the constant matrix $X^\top X$. Gradient
# descent on a quadratic converges exactly when $0<\alpha<2/\lambda_{\max}(X^\top X)$. We
# use $\alpha = 1/\lambda_{\max}$, which removes the error along the steepest direction in
# a single step. The source leaves $\alpha$ unspecified; with areas up to 100 and a
# *summed* loss, the admissible range is tiny.

# %%
X = np.column_stack([np.ones_like(x), x])
eigenvalues = np.linalg.eigvalsh(X.T @ X)
lam_min, lam_max = float(eigenvalues[0]), float(eigenvalues[-1])
alpha = 1.0 / lam_max

# %%
report.record("we", alpha=alpha, alpha_max=2.0 / lam_max,
              condition_number=lam_max / lam_min)

# %% [markdown]
# (ch04-seed-sign)=
# ## The source's sign climbs the loss
#
# With the source's gradient, the update $\theta\leftarrow\theta-\alpha\nabla J$ becomes
# $\theta\leftarrow\theta+\alpha\,\nabla J_{\text{true}}$: gradient *ascent*. We take
# {glue:text}`we_source_sign_steps` steps from $\theta=(0,0)$ with the source's rule and
# with the corrected one, both with the same step $\alpha = 1/\lambda_{\max}=$
# {glue:text}`we_alpha:.2e`, safely inside the admissible range.

# %%
def run(grad_fn, steps, theta0=(0.0, 0.0), lr=alpha):
    theta = np.array(theta0, dtype=float)
    losses = [loss(theta)]
    for _ in range(steps):
        theta = theta - lr * grad_fn(theta)
        losses.append(loss(theta))
    return theta, np.array(losses)


_, source_losses = run(source_gradient, source_sign_steps)
_, fixed_losses = run(gradient, source_sign_steps)
report.table(pd.DataFrame({"J, source's sign": source_losses,
                           "J, corrected sign": fixed_losses},
                          index=pd.Index(range(source_sign_steps + 1), name="step")),
             digits=4)

# %% tags=["remove-input"]
report.record(
    "we",
    source_sign_steps=source_sign_steps,
    source_sign_loss_ratio=source_losses[-1] / source_losses[0],
    fixed_sign_loss_ratio=fixed_losses[-1] / fixed_losses[0],
)

# %% [markdown]
# After {glue:text}`we_source_sign_steps` steps the source's rule has multiplied the loss
# by {glue:text}`we_source_sign_loss_ratio:.3g`, and it keeps growing geometrically: no
# step size rescues a rule that points uphill. The corrected rule has cut the loss to
# {glue:text}`we_fixed_sign_loss_ratio:.1e` of its starting value, and keeps descending.
#
# ## Training with the corrected sign
#
# Now the full run, with the same $\alpha$: {glue:text}`we_n_steps` steps of
#
# $$
# \theta_0 \leftarrow \theta_0 - \alpha\sum_i(\hat y_i - y_i),\qquad
# \theta_1 \leftarrow \theta_1 - \alpha\sum_i(\hat y_i - y_i)\,x_i .
# $$

# %%
theta = np.zeros(2)
trajectory = np.empty((n_steps + 1, 2))
trajectory[0] = theta
for step in range(n_steps):
    r = (theta[0] + theta[1] * x) - y                      # ŷ - y
    theta = theta - alpha * np.array([r.sum(), r @ x])
    trajectory[step + 1] = theta
theta_gd = theta

# %% tags=["remove-cell"]
report.record("we", n_steps=n_steps)

# %% [markdown]
# ## The closed form: least squares
#
# Setting the gradient to zero, $X^\top(X\theta - y) = 0$, gives the **normal equations**
# $X^\top X\,\theta = X^\top y$. Solving them directly, or better with a QR/SVD-based
# solver such as `np.linalg.lstsq` (which never forms $X^\top X$ and so does not square
# its condition number), gives the optimum without iterating.

# %%
theta_normal = np.linalg.solve(X.T @ X, X.T @ y)
theta_lstsq, *_ = np.linalg.lstsq(X, y, rcond=None)
theta_helper = backprop.least_squares(x, y)        # the same, with argument checks
assert np.allclose(theta_helper, theta_lstsq)
report.table(pd.DataFrame(
    {"θ0 (intercept)": [theta_gd[0], theta_normal[0], theta_lstsq[0], 3.0],
     "θ1 (slope)": [theta_gd[1], theta_normal[1], theta_lstsq[1], 2.0]},
    index=["gradient descent", "normal equations", "np.linalg.lstsq",
           "generating line"]),
    digits=6)

# %% tags=["remove-input"]
report.record(
    "we",
    gd_rel_error_vs_lstsq=np.linalg.norm(theta_gd - theta_lstsq)
    / np.linalg.norm(theta_lstsq),
    normal_vs_lstsq_rel_diff=compare.max_rel_diff(theta_normal, theta_lstsq),
    theta0_lstsq=theta_lstsq[0],
    theta1_lstsq=theta_lstsq[1],
    theta0_gd=theta_gd[0],
    theta1_gd=theta_gd[1],
)

# %% [markdown]
# Gradient descent ends at $\theta=$ ({glue:text}`we_theta0_gd:.4f`,
# {glue:text}`we_theta1_gd:.4f`), within {glue:text}`we_gd_rel_error_vs_lstsq:.1e`
# (relative, $\lVert\theta_{\text{GD}}-\theta^\star\rVert/\lVert\theta^\star\rVert$) of the
# least-squares optimum $\theta^\star=$ ({glue:text}`we_theta0_lstsq:.4f`,
# {glue:text}`we_theta1_lstsq:.4f`); the normal equations and `lstsq` agree to
# {glue:text}`we_normal_vs_lstsq_rel_diff:.0e`. Neither equals the generating line
# $(3, 2)$ exactly: with noise, no estimate from {glue:text}`we_n_samples` houses can.
#
# (ch04-gradient-at-optimum)=
# ### At the optimum the gradient vanishes, and that is not a problem
#
# The source (§2.3.3) characterizes the *vanishing-gradient problem* as
# $\nabla_\theta J(\theta)\approx 0$. But $\nabla J = 0$ is also exactly the condition that
# defines the optimum we just computed:

# %%
grad_start = float(np.linalg.norm(gradient(np.zeros(2))))
grad_opt = float(np.linalg.norm(gradient(theta_lstsq)))
report.record("we", grad_norm_start=grad_start, grad_norm_lstsq=grad_opt,
              grad_norm_ratio=grad_opt / grad_start)

# %% [markdown]
# The gradient's norm is {glue:text}`we_grad_norm_start:.3g` at the start and
# {glue:text}`we_grad_norm_lstsq:.1e` at the optimum, a ratio of
# {glue:text}`we_grad_norm_ratio:.0e`: rounding error. A small total gradient is what
# convergence *looks like*. The vanishing-gradient problem is something else: in a deep
# network the gradients of the *early layers* shrink geometrically with depth (a product
# of many layer Jacobians with norms below one) while the loss is still far from its
# minimum. {ref}`Chapter 3 <ch03-gradients>` measures it layer by layer.
#
# ## Why it took so many steps: conditioning
#
# The condition number of $X^\top X$ is {glue:text}`we_condition_number:.0f`: the loss is
# a long, narrow valley, steep across (the slope $\theta_1$, multiplied by areas up to
# 100) and almost flat along (the intercept $\theta_0$). Gradient descent shrinks the
# error along the flat direction by only a factor $1-1/\kappa$ per step. Standardizing
# the input, $z = (x-\bar x)/s_x$, makes the Hessian of the same loss in the new
# coordinates equal to $n\,I$ (condition number 1), and then a single step with
# $\alpha=1/n$ lands on the optimum; the coefficients map back by $\theta_1 = w_1/s_x$,
# $\theta_0 = w_0 - w_1\bar x/s_x$.

# %%
errors = np.linalg.norm(trajectory - theta_lstsq, axis=1) / np.linalg.norm(theta_lstsq)
reached = np.flatnonzero(errors <= tolerance)
steps_raw = int(reached[0]) if reached.size else -1     # -1: not reached in n_steps

z = (x - x.mean()) / x.std()
Z = np.column_stack([np.ones_like(z), z])
w = np.zeros(2)
z_errors = []
for _ in range(10):
    r = (w[0] + w[1] * z) - y
    w = w - (1.0 / n_samples) * np.array([r.sum(), r @ z])   # α = 1/λ_max = 1/n
    back = np.array([w[0] - w[1] * x.mean() / x.std(), w[1] / x.std()])
    z_errors.append(float(np.linalg.norm(back - theta_lstsq)
                          / np.linalg.norm(theta_lstsq)))
steps_std = int(np.argmax(np.array(z_errors) <= tolerance)) + 1
report.table(pd.DataFrame(
    {"condition number of the Hessian": [lam_max / lam_min, np.linalg.cond(Z.T @ Z)],
     f"steps to {tolerance:g} of the optimum": [steps_raw, steps_std]},
    index=["raw area x", "standardized z"]), digits=4)

# %% tags=["remove-input"]
report.record(
    "we",
    tolerance=tolerance,
    steps_to_tol_raw=steps_raw,
    steps_to_tol_standardized=steps_std,
    standardized_condition_number=np.linalg.cond(Z.T @ Z),
)

# %% [markdown]
# On the raw areas gradient descent needed {glue:text}`we_steps_to_tol_raw` steps to come
# within {glue:text}`we_tolerance:.0e` of the optimum; on standardized areas, whose
# Hessian has condition number {glue:text}`we_standardized_condition_number:.1f`, it
# needed {glue:text}`we_steps_to_tol_standardized`. The figure shows the raw valley: the
# first steps cross it almost at once (the slope is found), then the path creeps along
# its floor to the intercept.

# %% tags=["remove-cell"]
fig, (ax_loss, ax_path) = plots.subplots(2)
j_star = loss(theta_lstsq)
_, long_source = run(source_gradient, 12)
_, long_fixed = run(gradient, 12)
ax_loss.plot(long_source / long_source[0], marker="o", label="source's sign: Σ(y−ŷ)")
ax_loss.plot(long_fixed / long_fixed[0], marker="o", label="corrected: Σ(ŷ−y)")
ax_loss.set(yscale="log", xlabel="step", ylabel="J / J(start)",
            title="Same α, opposite signs")
ax_loss.legend()

t0, t1 = np.meshgrid(np.linspace(-6, 10, 200),
                     np.linspace(theta_lstsq[1] - 0.12, theta_lstsq[1] + 0.12, 200))
residual = y[None, None, :] - (t0[..., None] + t1[..., None] * x[None, None, :])
J_grid = 0.5 * (residual**2).sum(axis=-1)
ax_path.contour(t0, t1, np.log10(J_grid - j_star + 1e-9), levels=18, cmap="Greys",
                linewidths=0.8)
shown = np.unique(np.r_[np.geomspace(1, n_steps, 60).astype(int), n_steps])
ax_path.plot(trajectory[shown, 0], trajectory[shown, 1], marker=".", lw=1,
             label="gradient descent")
ax_path.plot(*theta_lstsq, marker="*", ms=14, color="black", ls="",
             label="least squares")
ax_path.set(xlabel="θ0 (intercept)", ylabel="θ1 (slope)", ylim=t1[[0, -1], 0],
            title="The valley of J")
ax_path.legend(loc="upper right")
report.figure("we_valley_fig", fig)

# %% [markdown]
# ```{glue:figure} we_valley_fig
# :alt: Left, the loss relative to its start over twelve steps on a log scale: the source's sign makes it grow by orders of magnitude, the corrected sign makes it fall. Right, contours of log10 of J minus its minimum over intercept and slope, a long thin valley; the gradient-descent path crosses it at once and then creeps along its floor to the least-squares star.
# :name: fig-we-valley
#
# Left: the loss under the source's and the corrected update. Right: the corrected
# run's path (log-spaced steps) in the valley of $J$, contours of
# $\log_{10}(J - J^\star)$.
# ```
#
# Finally the fit itself, and how close it comes to the noise floor: an unbiased
# estimate of the noise from the residuals is $\hat\sigma = \sqrt{2J(\theta^\star)/(n-2)}$.

# %%
sigma_hat = float(np.sqrt(2 * j_star / (n_samples - 2)))
report.record("we", sigma_hat=sigma_hat)

# %% tags=["remove-cell"]
fig, ax = plots.subplots(height=3.6)
ax.scatter(x, y, s=12, alpha=0.7, label="houses")
grid = np.linspace(0, 100, 2)
ax.plot(grid, theta_gd[0] + theta_gd[1] * grid, label="gradient descent", lw=2)
ax.plot(grid, 3 + 2 * grid, ls="--", color="black", label="generating line y = 2x + 3")
ax.set(xlabel="area x", ylabel="price y", title="The trained line")
ax.legend()
report.figure("we_fit_fig", fig)

# %% [markdown]
# ```{glue:figure} we_fit_fig
# :alt: Scatter of house prices against area from 0 to 100 with the gradient-descent line and the dashed generating line y = 2x + 3 lying almost on top of each other.
# :name: fig-we-fit
#
# The houses, the line gradient descent found, and the line that generated the data.
# ```
#
# The residuals give $\hat\sigma=$ {glue:text}`we_sigma_hat:.2f` for a true noise of
# {glue:text}`we_noise_std:.1f`: the model explains everything but the noise. The same
# least-squares optimum is the target of the Keras version of this regression in the
# {ref}`hands-on chapter <ch05-linear-regression>`.
#
# ## Summary
#
# * The corrected gradient $\sum_i(\hat y_i - y_i)$, $\sum_i(\hat y_i - y_i)x_i$ agrees
#   with finite differences to {glue:text}`we_grad_fd_rel_diff:.0e`; the source's is its
#   negative (relative difference {glue:text}`we_source_grad_fd_rel_diff:.0f`).
# * With the source's sign {glue:text}`we_source_sign_steps` steps multiply the loss by
#   {glue:text}`we_source_sign_loss_ratio:.3g`; with the corrected sign they divide it.
# * Gradient descent ends within {glue:text}`we_gd_rel_error_vs_lstsq:.0e` of the
#   least-squares optimum, where the gradient is {glue:text}`we_grad_norm_ratio:.0e` of
#   its starting norm: a zero gradient marks the optimum, not a vanishing-gradient
#   problem.
# * The raw problem's condition number {glue:text}`we_condition_number:.0f` costs
#   {glue:text}`we_steps_to_tol_raw` steps; standardized, one step suffices
#   ({glue:text}`we_steps_to_tol_standardized`).
#
# ## Exercises
#
# 1. Take the source's update rule and *flip the sign of α* instead of the gradient. Show
#    that this is exactly the corrected rule, so the source's text is internally
#    inconsistent rather than a different convention.
# 2. Run gradient descent on the raw data with $\alpha$ slightly above $2/\lambda_{\max}$
#    ({glue:text}`we_alpha_max:.2e`). What happens, and along which direction?
# 3. Train with the best constant step $\alpha = 2/(\lambda_{\min}+\lambda_{\max})$. How
#    many steps does it save, and what does the path look like across the valley?
# 4. Replace the summed loss by the mean, $J/n$. How do $\lambda_{\max}$, the admissible
#    $\alpha$ and the number of steps change?
# 5. Center $x$ but do not scale it. What is the condition number now?
