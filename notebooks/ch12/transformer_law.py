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
# (ch12-law)=
# # The Transformer's own scaling law
#
# Chapter 11 measured $L(N)$ for a character MLP ({ref}`ch11-scaling-laws`). Does the
# Transformer of {ref}`ch12-transformer` follow a power law too, with which exponent, and
# how does it compare with the MLP's and with the $\alpha_N \approx 0.076$ that
# {cite:t}`kaplan2020scaling` measured for Transformers seven orders of magnitude larger?
# This page trains the same architecture at several widths on the same number of tokens
# of the standard-library corpus, and fits the law on the non-embedding parameter count.

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
seed = 0
d_models = [16, 24, 32, 48, 64, 96]        # widths of the sweep (model sizes)
n_layers = 2
n_heads = 4
context = 64                                # tokens per training window
train_tokens = 2**20                        # predictions each model trains on
batch_size = 64                             # windows per step
learning_rate = 2e-3                        # Adam, constant
heldout_windows = 1024                      # held-out windows (context + 1 tokens each)
n_boot = 200                                # bootstrap resamples

# %%
import time

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from scalekit import costs, data, env, laws, plots, report
from scalekit.corpus import load_corpus

tf = env.setup(seed=seed)
plots.set_theme()
from scalekit.transformer import TinyGPT, train_tiny_gpt  # noqa: E402  (imports TF)

# %% [markdown]
# ## Corpus and training
#
# The corpus and its split are chapter 11's: the standard library's `.py` files mapped
# to a 97-symbol alphabet, training and held-out *files* separated by a hash of their
# path (`scalekit.corpus.load_corpus`). Each model sees `train_tokens` predictions: every
# position of a window predicts the next character, so a step of `batch_size` windows is
# `batch_size · context` tokens. The held-out loss is the mean cross-entropy in nats over
# all positions of `heldout_windows` fixed windows of held-out files.

# %%
corpus = load_corpus(context=context, heldout_windows=heldout_windows, seed=seed)
heldout = np.concatenate([corpus.heldout_x, corpus.heldout_y[:, None]], axis=1)
steps = max(1, train_tokens // (batch_size * context))
print(f"{len(corpus.train_ids):,} training characters; {steps} steps of "
      f"{batch_size * context:,} tokens per model; unigram cross-entropy "
      f"{corpus.unigram_entropy:.3f} nats")

# %% [markdown]
# One model per width, every other setting fixed (`n_layers` blocks, `n_heads` heads,
# $d_\text{ff} = 4d$, Adam at a constant rate). $N$ is the non-embedding count of
# {ref}`ch12-params`, $L(12d^2 + 13d) + 2d$:

# %%
rows, position_losses = [], []
for i, d in enumerate(d_models):
    model = TinyGPT(vocab_size=len(data.VOCAB), d_model=d,
                    n_layers=n_layers, n_heads=n_heads, context=context).build_weights()
    start = time.perf_counter()
    train_loss, per_window = train_tiny_gpt(
        model, corpus.train_ids, heldout, steps=steps, batch_size=batch_size,
        learning_rate=learning_rate, seed=seed + i)
    rows.append({"d_model": d, "N": costs.non_embedding_params(d_model=d,
                                                              n_layers=n_layers),
                 "all parameters": model.count_params(), "train loss": train_loss,
                 "held-out loss": per_window.mean(),
                 "seconds": time.perf_counter() - start})
    position_losses.append(per_window)
sweep = pd.DataFrame(rows)
position_losses = np.array(position_losses)
report.table(sweep, index=False)

# %% [markdown]
# ## L(N)
#
# As in chapter 11, the straight line in log–log space gives the exponent, and a
# bootstrap over the held-out windows (the same resample for every model) gives its
# uncertainty. The saturating form $E + A N^{-\alpha}$ is fitted beside it.

# %%
N, L = sweep["N"].to_numpy(float), sweep["held-out loss"].to_numpy(float)
line = laws.fit_loglog(N, L)
draws = laws.bootstrap(laws.fit_loglog, N, position_losses, n_boot=n_boot,
                          seed=seed)
slope_lo, slope_hi = laws.confidence_interval(draws["alpha"])
sat = laws.fit_saturating(N, L)

# %% tags=["remove-input"]
report.record("tfmlaw", n_slope=line["alpha"], n_slope_lo=slope_lo,
              n_slope_hi=slope_hi, n_r2_log=line.r2_log,
              decreasing=bool(np.all(np.diff(L) < 0)),
              loss_first=L[0], loss_last=L[-1], sat_alpha=sat["alpha"], sat_e=sat["E"],
              beats_unigram=bool(L.max() < corpus.unigram_entropy),
              kaplan_ratio=line["alpha"] / 0.076, sizes=len(N),
              n_smallest=int(N[0]), n_largest=int(N[-1]))

# %%
grid = np.geomspace(N.min() / 1.3, N.max() * 1.3, 100)
band = np.array([r["A"] * grid ** -r["alpha"] for _, r in draws.iterrows()])
fig, ax = plots.subplots()
ax.fill_between(grid, *np.quantile(band, [0.025, 0.975], axis=0), alpha=0.3,
                label="95% bootstrap band")
ax.plot(grid, line.predict(grid), label=f"A·N^-α, α = {line['alpha']:.3f}")
ax.plot(grid, sat.predict(grid), ls="--", label=f"E + A·N^-α, α = {sat['alpha']:.3f}")
ax.scatter(N, L, color="black", zorder=3, label="measured")
ax.set(xscale="log", yscale="log", xlabel="non-embedding parameters N",
       ylabel="held-out loss (nats)", title="Transformer L(N) at fixed tokens")
for axis_formatter in (ax.yaxis.set_major_formatter, ax.yaxis.set_minor_formatter):
    axis_formatter(mticker.FormatStrFormatter("%.1f"))   # plain decimals on a log axis
ax.legend()
report.figure("tfmlaw_fig", fig)

# %% [markdown]
# ```{glue:figure} tfmlaw_fig
# :alt: Held-out loss against non-embedding parameters on log-log axes; the measured points fall along a straight fitted line with a narrow bootstrap band, the saturating fit bending slightly at the largest size.
# :name: fig-tfmlaw
#
# Held-out loss of the Transformer sweep against non-embedding parameters, with the
# log–log fit, its 95% bootstrap band and the saturating fit.
# ```
#
# From $N$ = {glue:text}`tfmlaw_n_smallest` to {glue:text}`tfmlaw_n_largest` the held-out
# loss fell from {glue:text}`tfmlaw_loss_first:.3f` to {glue:text}`tfmlaw_loss_last:.3f`
# nats (lower at every larger size: {glue:text}`tfmlaw_decreasing`), every model below the
# unigram baseline ({glue:text}`tfmlaw_beats_unigram`). The log–log slope over the
# {glue:text}`tfmlaw_sizes` sizes is $\alpha_N$ = {glue:text}`tfmlaw_n_slope:.3f`
# (95% bootstrap interval {glue:text}`tfmlaw_n_slope_lo:.3f`–{glue:text}`tfmlaw_n_slope_hi:.3f`,
# $R^2$ in log space {glue:text}`tfmlaw_n_r2_log:.3f`); the saturating fit puts the
# exponent at {glue:text}`tfmlaw_sat_alpha:.3f` with $E$ = {glue:text}`tfmlaw_sat_e:.2f`
# nats (an $E$ at or near zero means the points bend too little to locate an irreducible
# loss: over this range the saturating form has nothing to add to the line). The bootstrap band is narrow because it only reflects *which held-out windows*
# were averaged; it says nothing about how much a model's loss would move with another
# seed, which is why single points can sit outside it.
#
# ## Three exponents side by side
#
# | model | data | $N$ | $\alpha_N$ |
# |---|---|---|---|
# | chapter 11's character MLP | stdlib source, 16 characters of context | its width sweep | {glue:text}`../ch11/scaling_laws.ipynb::laws_n_slope:.3f` |
# | this page's Transformer | the same text, `context` characters | {glue:text}`tfmlaw_n_smallest:,.0f`–{glue:text}`tfmlaw_n_largest:,.0f` | {glue:text}`tfmlaw_n_slope:.3f` |
# | {cite:t}`kaplan2020scaling` | WebText2, BPE tokens, 1024 context | about $10^3$–$10^9$ | 0.076 |
#
# Our exponent is {glue:text}`tfmlaw_kaplan_ratio:.2f` times Kaplan's. The similarity
# of the numbers is partly a coincidence and should not be read as a replication:
#
# * **Fixed tokens, not convergence.** Kaplan's $L(N)$ is the loss of models trained
#   until data stops limiting them (early-stopped on a very large corpus). Ours all see
#   the same `train_tokens`; the larger ones are further from convergence, so the curve
#   bends towards the data-limited loss at the large end. More tokens would steepen it
#   (exercise 1).
# * **Characters, not word pieces.** Loss per character and loss per BPE token are
#   different quantities; a per-token exponent is not a per-character exponent.
# * **Two decades, not seven.** Over a narrow range, a straight line fits any gently
#   curving function well; $R^2$ near one does not prove a power law.
# * **Hyper-parameters.** One learning rate for every width favours some widths; Kaplan
#   et al. tuned the schedule per size.
#
# Against chapter 11's MLP the honest statement is the same: both families improve as a
# power of $N$ over the range measured, with exponents of the same order, but the
# context, the inductive bias and the training budget all differ.
#
# ## Summary
#
# * {glue:text}`tfmlaw_sizes` Transformer widths trained on the same tokens: held-out
#   loss fell from {glue:text}`tfmlaw_loss_first:.3f` to
#   {glue:text}`tfmlaw_loss_last:.3f` nats over $N$ = {glue:text}`tfmlaw_n_smallest` to
#   {glue:text}`tfmlaw_n_largest` non-embedding parameters.
# * The log–log fit gives $\alpha_N$ = {glue:text}`tfmlaw_n_slope:.3f`
#   ({glue:text}`tfmlaw_n_slope_lo:.3f`–{glue:text}`tfmlaw_n_slope_hi:.3f`),
#   $R^2$ = {glue:text}`tfmlaw_n_r2_log:.3f` in log space; the MLP of chapter 11 gave
#   {glue:text}`../ch11/scaling_laws.ipynb::laws_n_slope:.3f`, Kaplan et al. 0.076.
# * At fixed tokens, small scale and character level, the agreement in magnitude is
#   suggestive, not a replication.
#
# ## Exercises
#
# 1. Add 128 to `d_models`. Does the widest model beat the next one at this token
#    budget? Then double `train_tokens` twice: which models gain the most, and how does
#    the slope change?
# 2. Sweep depth instead of width: `n_layers` from 1 to 6 at `d_model = 48`. Does loss
#    follow the same $L(N)$ curve? (Kaplan et al. found depth and width nearly
#    interchangeable at fixed $N$.)
# 3. Fit $L(N)$ on the total parameter count (`all parameters`) instead of $N$. Why does
#    the line bend, and why do scaling-law papers leave the embeddings out?
