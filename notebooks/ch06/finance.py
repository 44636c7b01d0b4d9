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
# (ch06-finance)=
# # Finance: imbalanced credit-style data and a learning-rate schedule
#
# The source's financial case (its §6.2) is credit scoring: predict which borrowers will
# default, "more accurately" as models scale. Real credit data are confidential and none
# ship with Python, so **this notebook generates its data** with scikit-learn's
# `make_classification` (the call is shown below): a tabular set with a few percent of
# "defaulters", informative and noisy features, and some label noise. It has the
# statistical shape of a credit file (rare positives, overlapping classes), not its
# meaning; no conclusion here is about real borrowers.
#
# On such data the methods that matter are the ones that survive **imbalance**:
#
# * scores that do not reward ignoring the rare class (precision–recall AUC, cost);
# * **class weights** and a **focal loss** {cite:p}`lin2017focal` that make the rare class
#   count during training;
# * a **cost-sensitive threshold**: a missed default costs more than a refused good loan;
# * and, from the source's list of methods (§1.5, method 7), a **learning-rate schedule**
#   measured against a constant rate: a linear warm-up, as used for large-batch training
#   by {cite:t}`goyal2017accurate`, then cosine annealing, one cycle of the schedule of
#   {cite:t}`loshchilov2017sgdr` (which restarts it; we do not).

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
epochs = 30              # training epochs of every model
n_samples = 40000        # generated "applicants"
default_rate = 0.03      # share of positives (defaulters) the generator aims for
batch_size = 256         # examples per training step
peak_lr = 3e-3           # Adam's rate: the constant rate, and the schedule's peak
cost_fn = 10.0           # cost of approving a loan that defaults (missed positive)
cost_fp = 1.0            # cost of refusing a loan that would have been repaid

# %% [markdown]
# ## Generated data, and why accuracy is useless on it

# %%
import time

import numpy as np
import pandas as pd
import seaborn as sns
from sklearn.datasets import make_classification
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    precision_recall_curve,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from scalekit import apps, env, plots, report

tf = env.setup(seed=seed)
plots.set_theme()

x, y = make_classification(
    n_samples=n_samples, n_features=20, n_informative=6, n_redundant=4,
    n_clusters_per_class=3, weights=[1 - default_rate], flip_y=0.01, class_sep=0.8,
    random_state=seed)
x_train, x_rest, y_train, y_rest = train_test_split(x, y, test_size=0.4,
                                                    random_state=seed, stratify=y)
x_val, x_test, y_val, y_test = train_test_split(x_rest, y_rest, test_size=0.5,
                                                random_state=seed, stratify=y_rest)
scaler = StandardScaler().fit(x_train)
x_train, x_val, x_test = (scaler.transform(a).astype("float32")
                          for a in (x_train, x_val, x_test))
prevalence = float(y_test.mean())
constant_acc = accuracy_score(y_test, np.zeros_like(y_test))

# %% tags=["remove-input"]
report.record("fin", prevalence=prevalence, constant_accuracy=constant_acc)

# %%
print(f"train {len(y_train)}, val {len(y_val)}, test {len(y_test)}; "
      f"positive share {prevalence:.4f}; 'nobody defaults' accuracy {constant_acc:.4f}")

# %% [markdown]
# (ch06-finance-accuracy)=
# A "model" that approves everybody, predicting *no default* for every applicant, has a
# test accuracy of {glue:text}`fin_constant_accuracy:.4f`, because only
# {glue:text}`fin_prevalence:.4f` of applicants default. It catches none of them. So
# "more accurate credit scoring", the source's goal, is not a usable target on imbalanced
# data. We report instead the **precision–recall AUC** (average precision: the mean
# precision over all recall levels; a random ranking scores the positive share) and the
# money a threshold costs.
#
# ## Three ways to train the same network
#
# One architecture (two hidden layers of 64 units), trained three ways: plain binary
# cross-entropy; the same loss with **class weights** that make the positives weigh as
# much, in total, as the negatives (Keras' `class_weight` argument); and the **focal
# loss**, which down-weights examples the model already gets right.

# %%
def network() -> tf.keras.Model:
    return tf.keras.Sequential([
        tf.keras.Input(shape=(x_train.shape[1],)),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.Dense(1),                      # logit
    ])


def train(loss, *, class_weight=None, learning_rate=peak_lr, run_seed=seed):
    tf.keras.utils.set_random_seed(run_seed)
    model = network()
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate), loss=loss)
    start = time.perf_counter()
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val),
                        epochs=epochs, batch_size=batch_size,
                        class_weight=class_weight, verbose=0)
    seconds = time.perf_counter() - start

    def prob(a):
        logits = model.predict(a, batch_size=4096, verbose=0)
        return tf.sigmoid(logits).numpy().ravel()

    return {"model": model, "history": history.history, "seconds": seconds,
            "val": prob(x_val), "test": prob(x_test)}


bce = tf.keras.losses.BinaryCrossentropy(from_logits=True)
n_pos, n_neg = int(y_train.sum()), int((1 - y_train).sum())
weights = {0: len(y_train) / (2 * n_neg), 1: len(y_train) / (2 * n_pos)}
runs = {
    "unweighted": train(bce),
    "class weights": train(bce, class_weight=weights),
    "focal loss": train(tf.keras.losses.BinaryFocalCrossentropy(
        gamma=2.0, from_logits=True, apply_class_balancing=True, alpha=0.75)),
}
print("class weights:", {k: round(v, 2) for k, v in weights.items()})

# %%
def summary(p_val, p_test):
    t_cost = apps.min_cost_threshold(y_val, p_val, cost_fn=cost_fn, cost_fp=cost_fp)
    out = {"test PR-AUC": average_precision_score(y_test, p_test),
           "test ROC-AUC": roc_auc_score(y_test, p_test),
           "accuracy @0.5": accuracy_score(y_test, p_test >= 0.5),
           "recall @0.5": recall_score(y_test, p_test >= 0.5)}
    for label, t in (("@0.5", 0.5), ("@cost-optimal", t_cost)):
        pred = p_test >= t
        fn = int(((y_test == 1) & ~pred).sum())
        fp = int(((y_test == 0) & pred).sum())
        cost = cost_fn * fn + cost_fp * fp
        out[f"cost per 1000 {label}"] = 1000 * cost / len(y_test)
    out["cost-optimal threshold"] = t_cost
    return out


results = pd.DataFrame({k: summary(r["val"], r["test"]) for k, r in runs.items()}).T
report.table(results, digits=3)

# %% tags=["remove-input"]
pr_auc = results["test PR-AUC"]

# %% tags=["remove-input"]
report.record(
    "fin", pr_auc_unweighted=pr_auc["unweighted"],
    pr_auc_weighted=pr_auc["class weights"],
    pr_auc_focal=pr_auc["focal loss"],
    reweighting_max_pr_auc_gain=max(pr_auc["class weights"], pr_auc["focal loss"])
    - pr_auc["unweighted"],
    recall_05_unweighted=results.loc["unweighted", "recall @0.5"],
    recall_05_weighted=results.loc["class weights", "recall @0.5"],
    cost_05_unweighted=results.loc["unweighted", "cost per 1000 @0.5"],
    cost_opt_unweighted=results.loc["unweighted", "cost per 1000 @cost-optimal"],
    cost_opt_weighted=results.loc["class weights", "cost per 1000 @cost-optimal"],
    cost_fn=cost_fn, cost_fp=cost_fp)

# %% [markdown]
# The precision–recall AUC is {glue:text}`fin_pr_auc_unweighted:.3f` without weights,
# {glue:text}`fin_pr_auc_weighted:.3f` with class weights and
# {glue:text}`fin_pr_auc_focal:.3f` with the focal loss, against
# {glue:text}`fin_prevalence:.3f` for a random ranking. Re-weighting is not a way to
# rank applicants better: on this data the larger of the two re-weighted losses' PR-AUC
# differences from plain cross-entropy is {glue:text}`fin_reweighting_max_pr_auc_gain:+.3f`,
# within the spread one expects from a single training run. What re-weighting changes is
# where the scores sit. At the default
# threshold of 0.5 the unweighted model catches {glue:text}`fin_recall_05_unweighted:.3f`
# of the defaulters and the weighted one {glue:text}`fin_recall_05_weighted:.3f`.
#
# The threshold is a business decision, not a property of the model. With a missed default
# costing {glue:text}`fin_cost_fn:.0f` and a refused good loan
# {glue:text}`fin_cost_fp:.0f` (illustrative units), choosing the threshold that minimizes
# that cost on the validation split (`scalekit.apps.min_cost_threshold`) brings the
# unweighted model's test cost from {glue:text}`fin_cost_05_unweighted:.1f` to
# {glue:text}`fin_cost_opt_unweighted:.1f` per 1000 applicants (the weighted model:
# {glue:text}`fin_cost_opt_weighted:.1f`). Choosing the threshold costs no training at
# all; re-weighting the loss is only worth keeping if it still wins once both models use
# their cost-optimal thresholds, which is the comparison of the last two numbers.

# %% tags=["remove-cell"]
fig, ax = plots.subplots()
for name, r in runs.items():
    prec, rec, _ = precision_recall_curve(y_test, r["test"])
    ap = average_precision_score(y_test, r["test"])
    ax.plot(rec, prec, label=f"{name} (AP {ap:.3f})")
ax.axhline(prevalence, color="grey", ls=":", label="random ranking")
ax.set(xlabel="recall (defaulters caught)", ylabel="precision",
       title="Precision–recall on the test split")
ax.legend()
report.figure("fin_pr_fig", fig)

# %% [markdown]
# ```{glue:figure} fin_pr_fig
# :alt: Precision against recall on the test split for the unweighted, class-weighted and focal-loss networks, with the positive share as a dotted line for a random ranking.
# :name: fig-fin-pr
#
# Precision–recall curves of the three training methods on the test split; the legend
# gives each curve's average precision (PR-AUC).
# ```

# %% [markdown]
# ## Warm-up and cosine decay versus a constant rate
#
# The source lists learning-rate scheduling among the scaling methods (§1.5) without
# showing one. Keras ships a schedule widely used in large-model training:
# `CosineDecay` with `warmup_steps` rises linearly to `warmup_target`, then follows half a
# cosine down to `alpha × warmup_target`. We train the unweighted model again with it,
# warming up over the first epoch, and compare it with the constant rate (the same
# peak value) that the runs above used, and with a constant rate ten times smaller.

# %%
steps_per_epoch = int(np.ceil(len(y_train) / batch_size))
total_steps = epochs * steps_per_epoch
schedule = tf.keras.optimizers.schedules.CosineDecay(
    initial_learning_rate=peak_lr / 100, decay_steps=total_steps - steps_per_epoch,
    alpha=0.01, warmup_target=peak_lr, warmup_steps=steps_per_epoch)
runs_lr = {f"constant {peak_lr:g}": runs["unweighted"],
           "warm-up + cosine": train(bce, learning_rate=schedule),
           f"constant {peak_lr / 10:g}": train(bce, learning_rate=peak_lr / 10)}
lr_table = pd.DataFrame({
    k: {"test PR-AUC": average_precision_score(y_test, r["test"]),
        "final val loss": r["history"]["val_loss"][-1],
        "best val loss": min(r["history"]["val_loss"]),
        "train seconds": r["seconds"]} for k, r in runs_lr.items()}).T
report.table(lr_table, digits=4)

# %% tags=["remove-cell"]
# one colour per series in both panels
palette = sns.color_palette(plots.PALETTE, len(runs_lr))
colours = dict(zip(runs_lr, palette, strict=True))
fig, axes = plots.subplots(2)
steps = np.arange(total_steps)
rates = {name: [peak_lr] * total_steps for name in runs_lr}
rates["warm-up + cosine"] = [float(schedule(s)) for s in steps]
rates[f"constant {peak_lr / 10:g}"] = [peak_lr / 10] * total_steps
for name, r in runs_lr.items():
    axes[0].plot(steps / steps_per_epoch, rates[name], color=colours[name], label=name)
    axes[1].plot(np.arange(1, epochs + 1), r["history"]["val_loss"],
                 color=colours[name], label=name)
axes[0].set(xlabel="epoch", ylabel="learning rate", title="Learning rates")
axes[1].set(xlabel="epoch", ylabel="validation cross-entropy",
            title="Validation loss")
axes[1].legend()
report.figure("fin_schedule_fig", fig)

# %% [markdown]
# ```{glue:figure} fin_schedule_fig
# :alt: Left, the learning rate against epoch for the two constant rates and for warm-up followed by cosine decay; right, the validation cross-entropy per epoch of the three runs, in the same colours.
# :name: fig-fin-schedule
#
# The three learning-rate settings (left) and the validation loss each produced (right);
# each setting keeps its colour in both panels.
# ```

# %% tags=["remove-input"]
cos, const = runs_lr["warm-up + cosine"], runs_lr[f"constant {peak_lr:g}"]
cos_ap = average_precision_score(y_test, cos["test"])

# %% tags=["remove-input"]
report.record(
    "fin", pr_auc_cosine=cos_ap,
    cosine_minus_constant_pr_auc=cos_ap
    - average_precision_score(y_test, const["test"]),
    final_val_loss_cosine=cos["history"]["val_loss"][-1],
    final_val_loss_constant=const["history"]["val_loss"][-1],
    val_loss_spread_constant=np.std(const["history"]["val_loss"][-5:]),
    val_loss_spread_cosine=np.std(cos["history"]["val_loss"][-5:]))

# %% [markdown]
# With warm-up and cosine decay the test PR-AUC is {glue:text}`fin_pr_auc_cosine:.3f`, a
# difference of {glue:text}`fin_cosine_minus_constant_pr_auc:+.3f` from the constant peak
# rate; the final validation loss is {glue:text}`fin_final_val_loss_cosine:.4f` against
# {glue:text}`fin_final_val_loss_constant:.4f`. The clearest effect is on the *end* of
# training: over the last five epochs the validation loss varies with a standard
# deviation of {glue:text}`fin_val_loss_spread_cosine:.4f` under the schedule and
# {glue:text}`fin_val_loss_spread_constant:.4f` at the constant rate, because a small
# final step stops the weights from bouncing around the minimum. A schedule is about
# the stability and speed of optimization; whether it also lowers the final loss depends
# on how long one trains, and with a small network on tabular data the gain is modest.
#
# ## What scaled, what it cost

# %%
params = runs["unweighted"]["model"].count_params()
cost_table = pd.DataFrame({
    "method": ["class weights", "focal loss", "cost-optimal threshold",
               "warm-up + cosine"],
    "gain in test PR-AUC": [
        pr_auc["class weights"] - pr_auc["unweighted"],
        pr_auc["focal loss"] - pr_auc["unweighted"],
        0.0,
        lr_table.iloc[1]["test PR-AUC"] - lr_table.iloc[0]["test PR-AUC"]],
    "change in cost per 1000": [
        results.loc["class weights", "cost per 1000 @0.5"]
        - results.loc["unweighted", "cost per 1000 @0.5"],
        results.loc["focal loss", "cost per 1000 @0.5"]
        - results.loc["unweighted", "cost per 1000 @0.5"],
        results.loc["unweighted", "cost per 1000 @cost-optimal"]
        - results.loc["unweighted", "cost per 1000 @0.5"],
        np.nan],
    "extra parameters": [0, 0, 0, 0],
    "train seconds": [runs["class weights"]["seconds"], runs["focal loss"]["seconds"],
                      0.0, runs_lr["warm-up + cosine"]["seconds"]],
}).set_index("method")

# %% tags=["remove-input"]
report.record("fin", params=params)

# %%
report.table(cost_table, digits=3)

# %% [markdown]
# None of these methods adds a parameter to the {glue:text}`fin_params`-parameter network
# (training times are in the table, measured on a shared machine); they change *what is
# optimized* (weights,
# focal loss), *when the optimizer steps how far* (the schedule) and *where the decision
# is cut* (the threshold). Costs are at threshold 0.5 for the two losses and relative to
# the unweighted model at 0.5 for the threshold row.
#
# ## Summary
#
# * Predicting "nobody defaults" scores an accuracy of
#   {glue:text}`fin_constant_accuracy:.4f` and catches no defaulter: on data with
#   {glue:text}`fin_prevalence:.3f` positives, accuracy is not a target.
# * The network ranks applicants with a PR-AUC of {glue:text}`fin_pr_auc_unweighted:.3f`
#   (random: {glue:text}`fin_prevalence:.3f`); class weights and the focal loss changed it
#   by at most {glue:text}`fin_reweighting_max_pr_auc_gain:+.3f` but moved the scores, so
#   recall at 0.5 rose from {glue:text}`fin_recall_05_unweighted:.3f` to
#   {glue:text}`fin_recall_05_weighted:.3f`.
# * Choosing the threshold for the cost brought the unweighted model from
#   {glue:text}`fin_cost_05_unweighted:.1f` to {glue:text}`fin_cost_opt_unweighted:.1f` per
#   1000 applicants, without any training.
# * Warm-up and cosine decay steadied the end of training (spread of the last five
#   validation losses {glue:text}`fin_val_loss_spread_cosine:.4f` against
#   {glue:text}`fin_val_loss_spread_constant:.4f`) and changed the PR-AUC by
#   {glue:text}`fin_cosine_minus_constant_pr_auc:+.3f`.
#
# ## Exercises
#
# 1. Set `default_rate = 0.005`. Which of the three training methods degrades least in
#    PR-AUC? Does the cost-optimal threshold still rescue the unweighted model?
# 2. Make `cost_fn` 50. Plot the test cost against the threshold for the unweighted model
#    and mark the threshold chosen on the validation split.
# 3. Train for a quarter of the epochs. Does the schedule matter more or less when the
#    training budget is short?
