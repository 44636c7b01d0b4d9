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
# (ch11-scaling-laws)=
# # Scaling laws: from parameters to performance, reproduced on a CPU
#
# The title of this book promises a relationship "from parameters to performance". The
# source text never measures it. This chapter does: it reproduces, at toy scale and in a
# few minutes on two CPU cores, the empirical scaling laws of language models
# {cite:p}`kaplan2020scaling,hoffmann2022training`, fits them the way the literature
# does, and separates what survives at small scale from what does not — including the
# replication by {cite:t}`besiroglu2024chinchilla`, which found the best-known fit of the
# field to be flawed. That held-out error falls as a power law of the training-set size
# had already been measured in four domains (translation, language modelling, images,
# speech) by {cite:t}`hestness2017deep`.
#
# ## What a scaling law is
#
# A *scaling law* is an empirical formula for held-out loss $L$ as a function of a
# resource: the number of parameters $N$, the number of training tokens $D$, or the
# training compute $C$. The basic shape is a **power law**,
#
# $$L(x) = A\,x^{-\alpha},\qquad \log L = \log A - \alpha \log x,$$
#
# a straight line of slope $-\alpha$ on log–log axes. Real curves bend away from the line
# at large $x$ because some loss cannot be removed by any model (the text's own
# randomness): adding an **irreducible loss** $E$ gives the saturating form
# $L(x) = E + A\,x^{-\alpha}$.
#
# {cite:t}`kaplan2020scaling` trained Transformer language models over seven orders of
# magnitude and found, for $N$ = *non-embedding* parameters and $C \approx 6ND$ training
# FLOPs (two FLOPs per parameter per token forward, four backward),
#
# $$L(N) \propto N^{-0.076},\qquad L(D) \propto D^{-0.095},\qquad L(C_{\min}) \propto C^{-0.050},$$
#
# each measured with the other resources not limiting. {cite:t}`hoffmann2022training`
# ("Chinchilla") fitted both resources at once,
#
# $$L(N, D) = E + \frac{A}{N^{\alpha}} + \frac{B}{D^{\beta}},\qquad
#   E = 1.69,\ A = 406.4,\ B = 410.7,\ \alpha = 0.34,\ \beta = 0.28,$$
#
# and minimized it under the budget $6ND = C$. The minimum is at
#
# $$N_{\text{opt}} = G\left(\frac{C}{6}\right)^{\frac{\beta}{\alpha+\beta}},\qquad
#   D_{\text{opt}} = G^{-1}\left(\frac{C}{6}\right)^{\frac{\alpha}{\alpha+\beta}},\qquad
#   G = \left(\frac{\alpha A}{\beta B}\right)^{\frac{1}{\alpha+\beta}},$$
#
# which, with exponents near ½, says: grow parameters and tokens *together*, at roughly
# 20 tokens per parameter — far more data per parameter than earlier large models used.
#
# Below we measure all of this on a model small enough to train dozens of times on a
# laptop: a character-level MLP reading the Python standard library's own source code.

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
seed = 0                                          # every random draw follows from it
widths = [4, 8, 16, 32, 64, 128, 256, 512]        # hidden widths of the sweep (model sizes)
train_tokens = 2**21                              # tokens (predictions) each model trains on
context = 16                                      # characters the model sees
embed_dim = 16                                    # size of each character's embedding
batch_size = 512
learning_rate = 2e-3                              # Adam, constant
evaluations = 14                                  # log-spaced held-out checkpoints per run
heldout_windows = 16384                           # held-out positions the loss is averaged over
n_boot = 200                                      # bootstrap resamples
progress = True                                   # one line per trained model (stderr)

# %% [markdown]
# ## Set-up: corpus and model
#
# The corpus is the standard library's `.py` files (tests, demos and IDLE excluded),
# split into training and held-out *files* by a hash of each file's path, and mapped to
# a fixed 97-symbol ASCII alphabet (`scalekit.data`). Nothing is downloaded. The held-out
# loss is the mean next-character cross-entropy, in nats, over a fixed set of random
# windows of the held-out files.
#
# A useful yardstick: a model that ignores context and always predicts the training
# character frequencies scores the **unigram cross-entropy**. Every model below must beat it.

# %%
import inspect

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from myst_nb import glue

from scalekit import env, plots, scaling

tf = env.setup(seed=seed)
plots.set_theme()


def plain_loss_axis(ax):
    """Label a logarithmic loss axis with plain decimals (losses span less than a decade)."""
    for axis_formatter in (ax.yaxis.set_major_formatter, ax.yaxis.set_minor_formatter):
        axis_formatter(mticker.FormatStrFormatter("%.1f"))


corpus = scaling.load_corpus(context=context, heldout_windows=heldout_windows, seed=seed)
print(f"training characters: {len(corpus.train_ids):,}; held-out windows: "
      f"{len(corpus.heldout_y):,}; unigram cross-entropy: {corpus.unigram_entropy:.3f} nats")
glue("unigram_entropy", float(corpus.unigram_entropy), display=False)
glue("train_chars", int(len(corpus.train_ids)), display=False)

# %% [markdown]
# The model family has one knob, the hidden width $w$: each of the `context` characters
# is embedded in `embed_dim` numbers, the embeddings are concatenated, passed through one
# ReLU layer of width $w$, and projected to 97 logits. Following
# {cite:t}`kaplan2020scaling`, $N$ counts the **non-embedding** parameters,
# $N = (\text{context}\cdot\text{embed})\,w + w + 97w + 97$. We check the formula against
# Keras.

# %%
model = scaling.char_mlp(64, context=context, embed_dim=embed_dim)
model.summary()
n_formula = scaling.non_embedding_params(64, context=context, embed_dim=embed_dim)
n_keras = model.count_params() - model.get_layer("embedding").count_params()
print(f"non-embedding parameters: formula {n_formula:,}, Keras {n_keras:,}")
assert n_formula == n_keras

# %% [markdown]
# ## The training loop
#
# Each model trains with Adam at a constant learning rate on random windows of the
# training text. To make dozens of runs affordable, the batches are drawn **inside the
# compiled graph** (random offsets, then `tf.gather`), and the steps between two
# evaluations run as a single `tf.function` call with a `tf.range` loop. In the sweep
# below a training step of the smallest model took {glue:text}`ms_per_step_smallest:.1f`
# ms (evaluations included), so for the small models the per-step cost of returning to
# Python is a noticeable share of a step; the script `benchmarks/ch11_training_loop.py` in
# the repository measures the difference on your machine. The function is in
# `scalekit.scaling`; here it is:

# %% tags=["hide-output"]
print(inspect.getsource(scaling.train_char_mlp))

# %% [markdown]
# The sweep trains one model per width on the same number of tokens and records the
# held-out loss at log-spaced checkpoints, with $D$ = tokens seen so far (one prediction
# per window, so $D$ = steps × batch) and $C = 6ND$. One tidy row per checkpoint:

# %%
sweep = scaling.run_sweep(
    widths, train_tokens=train_tokens, context=context, embed_dim=embed_dim,
    batch_size=batch_size, learning_rate=learning_rate, evaluations=evaluations,
    seed=seed, corpus=corpus, progress=progress)
runs = sweep.frame
final = sweep.final()
print(f"{len(runs)} checkpoints from {len(final)} models in "
      f"{final['seconds'].sum():.0f} s of training")
glue("ms_per_step_smallest", float(1e3 * final["seconds"].iloc[0] / final["step"].iloc[0]),
     display=False)
final[["width", "N", "D", "C", "loss", "train_loss", "seconds"]].round(4)

# %% [markdown]
# ## L(N): loss versus model size
#
# Every model saw the same $D$ tokens, so the final losses trace $L(N)$ at fixed data.
# First the straight line in log–log space, the fit behind most published exponents.
# For its uncertainty we **bootstrap over held-out positions**: resample the held-out
# windows with replacement (the same resample for every model), recompute each model's
# mean loss, and refit, `n_boot` times.

# %%
N, L = final["N"].to_numpy(float), final["loss"].to_numpy(float)
line = scaling.fit_loglog(N, L)
draws_line = scaling.bootstrap(scaling.fit_loglog, N, sweep.position_losses,
                               n_boot=n_boot, seed=seed)
slope_lo, slope_hi = scaling.confidence_interval(draws_line["alpha"])

sat = scaling.fit_saturating(N, L)
draws_sat = scaling.bootstrap(scaling.fit_saturating, N, sweep.position_losses,
                              n_boot=n_boot, seed=seed)
sat_lo, sat_hi = scaling.confidence_interval(draws_sat["alpha"])
e_lo, e_hi = scaling.confidence_interval(draws_sat["E"])

pd.DataFrame({
    "fit": ["log-log line A·N^-α", "saturating E + A·N^-α"],
    "alpha": [line["alpha"], sat["alpha"]],
    "alpha 95% CI": [f"[{slope_lo:.3f}, {slope_hi:.3f}]", f"[{sat_lo:.3f}, {sat_hi:.3f}]"],
    "E": [np.nan, sat["E"]],
    "E 95% CI": ["", f"[{e_lo:.3f}, {e_hi:.3f}]"],
    "R² (log)": [line.r2_log, sat.r2_log]}).round(4)

# %%
strictly_decreasing = bool(np.all(np.diff(L) < 0))
glue("lawN_slope", float(line["alpha"]), display=False)
glue("lawN_slope_lo", slope_lo, display=False)
glue("lawN_slope_hi", slope_hi, display=False)
glue("lawN_r2_log", float(line.r2_log), display=False)
glue("lawN_decreasing", strictly_decreasing, display=False)
glue("lawN_loss_first", float(L[0]), display=False)
glue("lawN_loss_last", float(L[-1]), display=False)
glue("lawN_sat_alpha", float(sat["alpha"]), display=False)
glue("lawN_sat_alpha_lo", sat_lo, display=False)
glue("lawN_sat_alpha_hi", sat_hi, display=False)
glue("lawN_sat_E", float(sat["E"]), display=False)
glue("lawN_sat_E_lo", e_lo, display=False)
glue("lawN_sat_E_hi", e_hi, display=False)
glue("N_smallest", int(N[0]), display=False)
glue("N_largest", int(N[-1]), display=False)

# %%
grid = np.geomspace(N.min() / 1.5, N.max() * 1.5, 100)
band = np.array([r["A"] * grid ** -r["alpha"] for _, r in draws_line.iterrows()])
fig, ax = plt.subplots()
ax.fill_between(grid, *np.quantile(band, [0.025, 0.975], axis=0), alpha=0.3,
                label="95% bootstrap band")
ax.plot(grid, line.predict(grid), label=f"log-log fit, α = {line['alpha']:.3f}")
ax.plot(grid, sat.predict(grid), ls="--", label=f"E + A·N^-α, α = {sat['alpha']:.3f}")
ax.scatter(N, L, color="black", zorder=3, label="measured (final checkpoint)")
ax.set(xscale="log", yscale="log", xlabel="non-embedding parameters N",
       ylabel="held-out loss (nats)", title="L(N) at fixed data")
ax.legend(fontsize=8)
plain_loss_axis(ax)
plt.show()

# %% [markdown]
# From $N$ = {glue:text}`N_smallest` to {glue:text}`N_largest` parameters the held-out
# loss fell from {glue:text}`lawN_loss_first:.3f` to {glue:text}`lawN_loss_last:.3f`
# nats. The log–log slope is $\alpha_N$ = {glue:text}`lawN_slope:.3f` (95% bootstrap
# interval {glue:text}`lawN_slope_lo:.3f`–{glue:text}`lawN_slope_hi:.3f`, $R^2$ in log
# space {glue:text}`lawN_r2_log:.3f`), the same order as the 0.076 that
# {cite:t}`kaplan2020scaling` report for Transformers — a coincidence of scale rather than
# a confirmation, since model, data and tokenization all differ.
#
# The saturating fit gives $\alpha$ = {glue:text}`lawN_sat_alpha:.3f` (interval
# {glue:text}`lawN_sat_alpha_lo:.3f`–{glue:text}`lawN_sat_alpha_hi:.3f`) and $E$ =
# {glue:text}`lawN_sat_E:.3f` (interval {glue:text}`lawN_sat_E_lo:.3f`–{glue:text}`lawN_sat_E_hi:.3f`).
# Those intervals only reflect which held-out windows we averaged over; they do not
# reflect how the curve would continue. With a handful of points that curve only gently,
# the three parameters trade off against each other ($E$ up, $\alpha$ up), so the
# exponent of the saturating form is much less certain than the slope of the line.
# We come back to this in {ref}`ch11-trust`.
#
# ## L(D) and L(C): the same runs, read along the other axes
#
# Each run's checkpoints give loss as a function of tokens seen. Reading checkpoints of a
# single constant-rate run as "a model trained on $D$ tokens" is an approximation: the
# model at step $t$ was not trained with a schedule meant to end at $t$.
# {cite:t}`hoffmann2022training` showed that this matters for cosine schedules; with a
# constant rate the bias is smaller, but not zero.

# %%
late = runs[runs["D"] >= runs["D"].max() / 30]   # skip the first, transient checkpoints
largest = late[late["width"] == late["width"].max()]
law_d = scaling.fit_loglog(largest["D"], largest["loss"])
glue("lawD_slope", float(law_d["alpha"]), display=False)
glue("lawD_r2_log", float(law_d.r2_log), display=False)
glue("lawD_width", int(largest["width"].iloc[0]), display=False)

fig, ax = plt.subplots()
plots.loglog(runs.assign(width=runs["width"].astype(str)), "D", "loss", hue="width", ax=ax,
             title="Held-out loss along each run", xlabel="training tokens D",
             ylabel="held-out loss (nats)")
ax.plot(largest["D"], law_d.predict(largest["D"]), color="black", ls=":",
        label=f"fit, width {largest['width'].iloc[0]}: α_D = {law_d['alpha']:.3f}")
ax.legend(fontsize=7, ncol=2)
plain_loss_axis(ax)
plt.show()

# %% [markdown]
# For the widest model the loss falls as $D^{-\alpha_D}$ with $\alpha_D$ =
# {glue:text}`lawD_slope:.3f` ($R^2$ = {glue:text}`lawD_r2_log:.3f`) over the last
# checkpoints. Narrow models flatten early: they are limited by $N$, not $D$.
#
# The **compute frontier** is the lower envelope of all checkpoints plotted against
# $C = 6ND$: for each compute budget, the best loss any model size reached with it. A
# checkpoint is on the frontier if no checkpoint with less compute has a lower loss.

# %%
by_c = late.sort_values("C")
frontier = by_c[by_c["loss"] < by_c["loss"].cummin().shift(fill_value=np.inf)]
law_c = scaling.fit_loglog(frontier["C"], frontier["loss"])
glue("lawC_slope", float(law_c["alpha"]), display=False)
glue("lawC_r2_log", float(law_c.r2_log), display=False)
glue("frontier_points", int(len(frontier)), display=False)

fig, ax = plt.subplots()
plots.loglog(runs.assign(width=runs["width"].astype(str)), "C", "loss", hue="width", ax=ax,
             title="The compute frontier", xlabel="training compute C = 6ND (FLOPs)",
             ylabel="held-out loss (nats)")
ax.plot(frontier["C"], law_c.predict(frontier["C"]), color="black", lw=2.5, alpha=0.6,
        label=f"frontier fit: α_C = {law_c['alpha']:.3f}")
ax.legend(fontsize=7, ncol=2)
plain_loss_axis(ax)
plt.show()

# %% [markdown]
# Along the frontier ({glue:text}`frontier_points` checkpoints) the loss falls as
# $C^{-\alpha_C}$ with $\alpha_C$ = {glue:text}`lawC_slope:.3f` ($R^2$ =
# {glue:text}`lawC_r2_log:.3f`). The frontier hands over from one width to the next as
# compute grows: at every budget there is a best model size, which is what the next
# section computes.
#
# ## The joint fit and compute-optimal allocation
#
# The Chinchilla form $L = E + A/N^\alpha + B/D^\beta$ is fitted to every checkpoint
# (after the transient) at once. As {cite:t}`hoffmann2022training` do, we minimize a
# Huber loss ($\delta = 10^{-3}$) of the residuals of $\log L$, with L-BFGS-B. The
# objective has many local minima, so the starting points matter: instead of a large
# grid of starts, `scaling.fit_joint` uses **variable projection** — for each
# $(\alpha, \beta)$ on a grid the model is linear in $(E, A, B)$, solved by non-negative
# least squares — and refines the best few candidates. One detail matters more than it
# seems: with $\delta = 10^{-3}$ the objective is tiny (about $10^{-3}$ times the
# residuals), and an optimizer's default stopping tolerances then stop it far from the
# minimum. `fit_joint` divides the objective by $\delta$ and tightens the tolerances; the
# replication discussed in {ref}`ch11-trust` traced part of the trouble with Chinchilla's
# published fit to exactly this.

# %%
joint = scaling.fit_joint(late["N"], late["D"], late["loss"], delta=1e-3)
glue("joint_alpha", float(joint["alpha"]), display=False)
glue("joint_beta", float(joint["beta"]), display=False)
glue("joint_E", float(joint["E"]), display=False)
glue("joint_r2", float(joint.r2_log), display=False)
glue("joint_points", int(joint.n_points), display=False)
pd.Series(joint.params | {"R² (log)": joint.r2_log}).round(4).to_frame("joint fit")

# %%
fig, ax = plt.subplots()
palette = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(widths)))
for color, (width, g) in zip(palette, late.groupby("width"), strict=True):
    ax.scatter(g["D"], g["loss"], color=color, s=14)
    dd = np.geomspace(g["D"].min(), g["D"].max(), 50)
    ax.plot(dd, joint.predict(g["N"].iloc[0], dd), color=color, label=f"w={width}")
ax.set(xscale="log", yscale="log", xlabel="training tokens D", ylabel="held-out loss (nats)",
       title="Joint fit L(N, D) (lines) and checkpoints (dots)")
ax.legend(fontsize=7, ncol=2)
plain_loss_axis(ax)
plt.show()

# %% [markdown]
# The joint fit explains the {glue:text}`joint_points` checkpoints with $R^2$ =
# {glue:text}`joint_r2:.3f` in log space, with $\alpha$ = {glue:text}`joint_alpha:.3f`,
# $\beta$ = {glue:text}`joint_beta:.3f` and $E$ = {glue:text}`joint_E:.3f`. Plugging the
# fitted law into the allocation formula gives the compute-optimal model size and token
# count at each budget, and their ratio, the **tokens per parameter** at the optimum.

# %%
budgets = np.geomspace(runs["C"].min(), runs["C"].max(), 30)
kw = {k: joint[k] for k in ("A", "B", "alpha", "beta")}
n_opt, d_opt = scaling.compute_optimal(budgets, **kw)
c_top = float(final["C"].max())
n_top, d_top = scaling.compute_optimal(c_top, **kw)
glue("toy_c_top", c_top, display=False)
glue("toy_nopt_top", float(n_top[0]), display=False)
glue("toy_tokens_per_param", float(d_top[0] / n_top[0]), display=False)
glue("toy_nopt_exponent", float(joint["beta"] / (joint["alpha"] + joint["beta"])),
     display=False)

chinchilla = {"A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}   # Hoffmann et al., rounded
fig, ax = plt.subplots()
ax.plot(budgets, d_opt / n_opt, label="this chapter's joint fit")
ax.axhline(20, color="gray", ls="--", label="Chinchilla rule of thumb (~20)")
ax.set(xscale="log", yscale="log", xlabel="compute budget C (FLOPs)",
       ylabel="tokens per parameter at the optimum", title="Compute-optimal allocation")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# At the largest budget of our sweep ({glue:text}`toy_c_top:.2e` FLOPs) the toy law puts
# the optimum at $N$ ≈ {glue:text}`toy_nopt_top:.3g` parameters and
# {glue:text}`toy_tokens_per_param:.0f` tokens per parameter, and $N_\text{opt}$ grows as
# $C^{a}$ with $a$ = {glue:text}`toy_nopt_exponent:.2f`. Chinchilla's ~20 tokens per
# parameter is a property of Transformers on web text at 10²¹–10²⁴ FLOPs. Whether or
# not our number lands near it (it moves with the checkpoint cut and the seed, see
# below), a character MLP on source code has no reason to share it, and the ratio
# depends on what counts as a "token" and a "parameter". What carries over is the
# method — and the qualitative lesson that parameters and data must grow together.
#
# (ch11-trust)=
# ## What to trust
#
# **The slope is robust.** The log–log exponent barely moves under resampling (interval
# {glue:text}`lawN_slope_lo:.3f`–{glue:text}`lawN_slope_hi:.3f`); exercise 1 checks
# it across seeds. **$E$ and the 3-parameter exponent are not.** A quick way to see it
# is to drop one model size at a time and refit:

# %%
rows = []
for drop in range(len(N)):
    keep = np.arange(len(N)) != drop
    f_line, f_sat = scaling.fit_loglog(N[keep], L[keep]), scaling.fit_saturating(N[keep], L[keep])
    rows.append({"dropped N": int(N[drop]), "slope α": f_line["alpha"],
                 "saturating α": f_sat["alpha"], "saturating E": f_sat["E"]})
jackknife = pd.DataFrame(rows)
spread = jackknife[["slope α", "saturating α", "saturating E"]].agg(lambda s: s.max() - s.min())
glue("jack_slope_range", float(spread["slope α"]), display=False)
glue("jack_sat_alpha_range", float(spread["saturating α"]), display=False)
glue("jack_sat_E_range", float(spread["saturating E"]), display=False)
jackknife.round(4)

# %% [markdown]
# Across these refits the slope spans a range of only {glue:text}`jack_slope_range:.3f`,
# the saturating exponent a range of {glue:text}`jack_sat_alpha_range:.3f` and the
# irreducible loss a range of {glue:text}`jack_sat_E_range:.3f` nats. $E$ is an *extrapolation*
# to infinite $N$ from points that are nowhere near it, and $E$ and $\alpha$ compensate
# for each other. The same is true of the joint fit, whose parameters depend on which
# checkpoints are included:

# %%
cut_rows = []
for frac in (100, 30, 10):
    subset = runs[runs["D"] >= runs["D"].max() / frac]
    f = scaling.fit_joint(subset["N"], subset["D"], subset["loss"])
    cut_rows.append({"checkpoints with D ≥": f"D_max/{frac}", "points": f.n_points,
                     **{k: f[k] for k in ("E", "alpha", "beta")}, "R² (log)": f.r2_log})
pd.DataFrame(cut_rows).round(4)

# %% [markdown]
# ### The Chinchilla replication, recomputed
#
# {cite:t}`besiroglu2024chinchilla` (Epoch AI) reconstructed the data behind Hoffmann et
# al.'s third approach from the paper's figures and refitted it. They found that the
# published parameters fit the data poorly and are inconsistent with the paper's first
# two approaches; that the reported confidence intervals are implausibly narrow (so
# narrow they would need over 600,000 experiments, where fewer than 500 were likely
# run); that the optimizer had stopped before converging; and that the parameters printed
# in the paper are rounded in a way that biases the law's predictions. Their refit,
# $E = 1.817$, $A = 482.0$, $B = 2085.4$, $\alpha = 0.348$, $\beta = 0.366$, is
# compatible with the other two approaches. Here is what the two parameter sets imply at
# the compute budget of Gopher, $C = 5.76 \times 10^{23}$ FLOPs:

# %%
gopher_c = 5.76e23
laws = {"Hoffmann et al. 2022 (rounded, as published)": chinchilla,
        "Besiroglu et al. 2024 (Epoch)": {"A": 482.0, "B": 2085.4, "alpha": 0.348,
                                          "beta": 0.366}}
table = []
for name, p in laws.items():
    n_g, d_g = scaling.compute_optimal(gopher_c, **p)
    table.append({"parameters": name, "N_opt": n_g[0], "D_opt": d_g[0],
                  "tokens per parameter": d_g[0] / n_g[0]})
table = pd.DataFrame(table).set_index("parameters")
n_hoff = float(table["N_opt"].iloc[0])
n_epoch = float(table["N_opt"].iloc[1])
glue("chinchilla_nopt_gopher_hoffmann", n_hoff, display=False)
glue("chinchilla_nopt_gopher_epoch", n_epoch, display=False)
glue("chinchilla_nopt_gopher_hoffmann_billions", n_hoff / 1e9, display=False)
glue("chinchilla_nopt_gopher_epoch_billions", n_epoch / 1e9, display=False)
glue("chinchilla_tpp_hoffmann", float(table["tokens per parameter"].iloc[0]), display=False)
glue("chinchilla_tpp_epoch", float(table["tokens per parameter"].iloc[1]), display=False)

# rounding: the published exponents have two digits; move each by half a unit
rounded = [scaling.compute_optimal(gopher_c, A=406.4, B=410.7, alpha=0.34 + da,
                                   beta=0.28 + db)[0][0]
           for da in (-0.005, 0.005) for db in (-0.005, 0.005)]
glue("chinchilla_nopt_rounding_lo_billions", float(min(rounded)) / 1e9, display=False)
glue("chinchilla_nopt_rounding_hi_billions", float(max(rounded)) / 1e9, display=False)
table.style.format("{:.3g}")

# %% [markdown]
# With the rounded parameters that Hoffmann et al. publish ($E = 1.69$, $A = 406.4$,
# $B = 410.7$, $\alpha = 0.34$, $\beta = 0.28$), the optimal model for Gopher's budget has
# {glue:text}`chinchilla_nopt_gopher_hoffmann_billions:.1f` billion parameters trained on
# {glue:text}`chinchilla_tpp_hoffmann:.0f` tokens per parameter — far from the ~20 that
# the same paper recommends. With Epoch's refit it has
# {glue:text}`chinchilla_nopt_gopher_epoch_billions:.1f` billion parameters and
# {glue:text}`chinchilla_tpp_epoch:.0f` tokens per parameter, consistent with the
# 70-billion-parameter Chinchilla model trained on 1.4 trillion tokens at about that
# budget. Merely moving each
# published exponent by half a unit of its last digit spans
# {glue:text}`chinchilla_nopt_rounding_lo_billions:.0f`–{glue:text}`chinchilla_nopt_rounding_hi_billions:.0f`
# billion parameters: at $10^{23}$ FLOPs, the third decimal of an exponent is worth tens
# of billions of parameters.
#
# The lessons for reading (and making) scaling-law claims:
#
# 1. **Trust slopes over intercepts.** A log–log slope over a wide range is a robust
#    summary; $E$ and the saturating exponent are extrapolations with wide error bars.
# 2. **Report how uncertain the fit is** — bootstrap over what was actually random
#    (held-out data, seeds, runs) — and be suspicious of intervals that look too good.
# 3. **Extrapolation amplifies errors.** Exponent errors multiply by $\log C$; the budget
#    at which a law is used is often many orders beyond the data that produced it.
# 4. **Small-scale laws teach the method, not the numbers.** Our exponents describe a
#    character MLP on source code, not a Transformer on the web.
#
# Finally, a sanity check that every trained model learned something beyond character
# frequencies:

# %%
max_loss = float(final["loss"].max())
glue("max_final_loss", max_loss, display=False)
glue("max_loss_below_unigram_entropy", bool(max_loss < corpus.unigram_entropy), display=False)
print(f"worst final held-out loss {max_loss:.3f} < unigram {corpus.unigram_entropy:.3f}: "
      f"{max_loss < corpus.unigram_entropy}")

# %% [markdown]
# The worst model (the narrowest) ends at {glue:text}`max_final_loss:.3f` nats, below the
# unigram cross-entropy of {glue:text}`unigram_entropy:.3f` nats.
#
# ## Exercises
#
# 1. Rerun the sweep with `seed = 1` and `seed = 2`. Which fitted quantities change by
#    more than their bootstrap interval? What does that say about bootstrapping over
#    positions rather than over seeds?
# 2. Halve `train_tokens`. Does the log–log slope of $L(N)$ change? Which widths are now
#    data-limited?
# 3. Change `context` to 8 and to 32. Does the exponent depend on how much the model can
#    see, or only the intercept?
# 4. Fit the joint law with $\delta = 10^{-1}$ (almost least squares) instead of
#    $10^{-3}$. Which parameters move?
# 5. Using `scaling.compute_optimal`, find the budget at which Hoffmann's and Epoch's
#    parameters disagree by a factor of two in $N_\text{opt}$.
