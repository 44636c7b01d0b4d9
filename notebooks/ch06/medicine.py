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
# (ch06-medicine)=
# # Medicine: a recall-first diagnosis model and model fusion
#
# The source's medical case (its §6.1) promises "more accurate diagnosis" from scaled
# models. This notebook makes the promise concrete on data that ships with scikit-learn:
# the Wisconsin diagnostic breast-cancer set {cite:p}`street1993nuclear`, 569 fine-needle
# aspirates described by 30 nuclear features, 212 of them malignant. It measures three
# things a diagnostic model needs beyond accuracy:
#
# 1. **a recall-first decision threshold**: a missed cancer costs far more than a
#    follow-up biopsy, so we choose the threshold that catches a target share of malignant
#    cases on a validation split and report what that costs in precision on the test split;
# 2. **model fusion** (source §1.5, method 8): the average of a logistic model, a small
#    neural network and a random forest, and their hard and soft votes, measured against
#    each of its members;
# 3. **calibration**: whether a predicted probability of 0.8 means 80 %.
#
# Limits, stated once and meant throughout: 569 patients from one clinic, one kind of
# measurement, a random split rather than a later cohort. Nothing here is a medical device;
# the numbers show the *method*, not a clinical result.

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
seed = 0                # every random draw follows from it
epochs = 300            # full-batch epochs for the two Keras models
target_recall = 0.98    # share of malignant validation cases the threshold must catch
n_trees = 300           # trees in the random forest

# %% [markdown]
# ## Data: positive means malignant
#
# scikit-learn codes *benign* as 1. We flip the labels so that the positive class, the one
# recall is about, is the malignant one. `scalekit.data.load` gives a stratified 75/25
# train/test split standardized with training statistics; we hold a further quarter of the
# training split back as a **validation** split, the only data the threshold is chosen on.

# %%
import time

import numpy as np
import pandas as pd
import seaborn as sns
from sklearn.calibration import calibration_curve
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import train_test_split

from scalekit import apps, compare, data, env, plots, report

tf = env.setup(seed=seed)
plots.set_theme()

split = data.load("breast_cancer", seed=seed)
assert split.class_names[0] == "malignant"
y_all, y_test = 1 - split.y_train, 1 - split.y_test          # 1 = malignant
x_train, x_val, y_train, y_val = train_test_split(
    split.x_train, y_all, test_size=0.25, random_state=seed, stratify=y_all)
x_test = split.x_test

# %% tags=["remove-input"]
report.record("med", n_test=len(y_test), n_val_malignant=y_val.sum())

# %%
print(f"train {len(x_train)}, validation {len(x_val)}, test {len(x_test)}; "
      f"malignant share {y_all.mean():.2f}")

# %% [markdown]
# ## Three different models
#
# Fusion helps most when the members make *different* mistakes, so the three members are
# of different kinds: a logistic model (one `Dense(1)` layer), a one-hidden-layer network,
# and a random forest. The two Keras models are trained full-batch with Adam on the
# training split only; each member returns the probability of malignancy.

# %%
def keras_member(hidden: int, name: str):
    tf.keras.utils.set_random_seed(seed)
    layers = [tf.keras.Input(shape=(x_train.shape[1],))]
    if hidden:
        layers += [tf.keras.layers.Dense(hidden, activation="relu"),
                   tf.keras.layers.Dropout(0.2)]
    layers += [tf.keras.layers.Dense(1, activation="sigmoid")]
    model = tf.keras.Sequential(layers, name=name)
    model.compile(optimizer=tf.keras.optimizers.Adam(1e-2),
                  loss=tf.keras.losses.BinaryCrossentropy(),
                  metrics=[tf.keras.metrics.AUC(name="auc")])
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=epochs, batch_size=len(x_train), verbose=0)
    seconds = time.perf_counter() - start

    def predict(x):
        return model.predict(x, verbose=0).ravel()

    return predict, model.count_params(), seconds


members, costs = {}, {}
members["logistic"], p, s = keras_member(0, "logistic")
costs["logistic"] = {"parameters": p, "train_seconds": s}
members["MLP"], p, s = keras_member(32, "mlp")
costs["MLP"] = {"parameters": p, "train_seconds": s}

start = time.perf_counter()
forest = RandomForestClassifier(n_estimators=n_trees, min_samples_leaf=2,
                                random_state=seed, n_jobs=1).fit(x_train, y_train)
members["random forest"] = lambda x: forest.predict_proba(x)[:, 1]
costs["random forest"] = {
    "parameters": int(sum(t.tree_.node_count for t in forest.estimators_)),
    "train_seconds": time.perf_counter() - start}
print({k: v["parameters"] for k, v in costs.items()})

# %% [markdown]
# The forest has no weights; its "parameters" above are its tree nodes (each stores a
# feature index and a threshold, or a leaf value), the closest comparable count.
#
# ## Model fusion: averaging and stacking
#
# Two fusion rules. **Averaging** takes the mean of the three probabilities: nothing to
# fit. **Stacking** fits a logistic regression on the members' validation-set
# probabilities, learning how much to trust each; it uses the validation split, so its
# threshold is chosen on the same split (a mild optimism we accept at this size).

# %%
val_p = pd.DataFrame({k: f(x_val) for k, f in members.items()})
test_p = pd.DataFrame({k: f(x_test) for k, f in members.items()})
val_p["average"], test_p["average"] = val_p.mean(axis=1), test_p.mean(axis=1)
names = list(members)
stacker = LogisticRegression(C=1.0).fit(val_p[names], y_val)
val_p["stacking"] = stacker.predict_proba(val_p[names])[:, 1]
test_p["stacking"] = stacker.predict_proba(test_p[names])[:, 1]

scores = pd.DataFrame({
    "test ROC-AUC": {k: roc_auc_score(y_test, test_p[k]) for k in test_p},
    "test accuracy @0.5": {k: accuracy_score(y_test, test_p[k] >= 0.5) for k in test_p},
    "test Brier score": {k: brier_score_loss(y_test, test_p[k]) for k in test_p},
})
report.table(scores, digits=4)

# %% tags=["remove-input"]
auc = scores["test ROC-AUC"]

# %% tags=["remove-input"]
report.record(
    "med", ensemble_minus_best_member_auc=auc["average"] - auc[names].max(),
    stacking_minus_best_member_auc=auc["stacking"] - auc[names].max(),
    ensemble_minus_worst_member_auc=auc["average"] - auc[names].min(),
    ensemble_auc=auc["average"], best_member_auc=auc[names].max(),
    worst_member_auc=auc[names].min())

# %% [markdown]
# (ch06-medicine-fusion)=
# The average of the three members reaches a test ROC-AUC of
# {glue:text}`med_ensemble_auc:.4f`; the best single member, chosen *with hindsight* on
# the test set (the table names it), reaches {glue:text}`med_best_member_auc:.4f`,
# a difference of {glue:text}`med_ensemble_minus_best_member_auc:+.4f` (stacking:
# {glue:text}`med_stacking_minus_best_member_auc:+.4f`). The worst member scores
# {glue:text}`med_worst_member_auc:.4f`, {glue:text}`med_ensemble_minus_worst_member_auc:+.4f`
# against the average. On a data set this clean every member is already
# near the ceiling, so fusion mainly buys *insurance*: without knowing in advance which
# member will be best, the average is never far from it, at three times the training and
# inference cost. The source's claim that fusion "improves overall performance" is a
# tendency, not a guarantee; with {glue:text}`med_n_test` test patients, differences in
# the third decimal of the AUC are within noise.
#
# ## A recall-first threshold
#
# At the default threshold of 0.5 a model maximizes something close to accuracy, treating
# a missed cancer and a false alarm as equally bad. We instead pick, on the validation
# split, the highest threshold whose recall on malignant cases is at least
# `target_recall` (`scalekit.apps.threshold_for_recall`), and only then look at the test
# split. A target above the recall the model already reaches at 0.5 moves the threshold
# down; a modest target can leave it above 0.5, and then the rule catches no more cancers
# than the default.

# %%
threshold = apps.threshold_for_recall(y_val, val_p["average"], target_recall)
rows = {}
for label, t in (("default 0.5", 0.5), (f"recall-first ({threshold:.3f})", threshold)):
    pred = test_p["average"] >= t
    rows[label] = {"threshold": t,
                   "test recall": recall_score(y_test, pred),
                   "test precision": precision_score(y_test, pred),
                   "test accuracy": accuracy_score(y_test, pred),
                   "missed malignant": int(((y_test == 1) & ~pred).sum()),
                   "false alarms": int(((y_test == 0) & pred).sum())}
thresholds = pd.DataFrame(rows).T
report.table(thresholds.astype({"missed malignant": int, "false alarms": int}),
             digits=3)

# %% tags=["remove-input"]
default, chosen = thresholds.iloc[0], thresholds.iloc[1]

# %% tags=["remove-input"]
report.record(
    "med", threshold=threshold, target_recall=target_recall,
    test_recall_at_threshold=chosen["test recall"],
    test_precision_at_threshold=chosen["test precision"],
    test_accuracy_at_threshold=chosen["test accuracy"],
    test_recall_default=default["test recall"],
    test_accuracy_default=default["test accuracy"],
    missed_default=int(default["missed malignant"]),
    missed_at_threshold=int(chosen["missed malignant"]),
    false_alarms_at_threshold=int(chosen["false alarms"]))

# %% [markdown]
# (ch06-medicine-threshold)=
# With the threshold chosen for a validation recall of at least
# {glue:text}`med_target_recall:.2f` (it is {glue:text}`med_threshold:.3f`), the test
# recall is {glue:text}`med_test_recall_at_threshold:.3f` at a precision of
# {glue:text}`med_test_precision_at_threshold:.3f`: the model misses
# {glue:text}`med_missed_at_threshold` malignant cases and raises
# {glue:text}`med_false_alarms_at_threshold` false alarms. At 0.5 it misses
# {glue:text}`med_missed_default` (recall {glue:text}`med_test_recall_default:.3f`),
# with an accuracy of {glue:text}`med_test_accuracy_default:.3f` against
# {glue:text}`med_test_accuracy_at_threshold:.3f` for the recall-first threshold. Accuracy
# is the wrong score to optimize here: the recall-first rule may well be *less* accurate,
# yet it is the better screening rule, because every error it adds is a false alarm that
# a biopsy resolves, and every error it removes is a missed cancer. The validation split
# has only {glue:text}`med_n_val_malignant` malignant cases, so a high target is met there
# by catching all or all but one of them; the test recall can land a little below the
# target, which is why targets are set with a margin.
#
# The figure shows the trade-off over every threshold on the test split.

# %% tags=["remove-cell"]
grid = np.linspace(0.01, 0.99, 99)
curve = pd.DataFrame([
    {"threshold": t, "recall": recall_score(y_test, test_p["average"] >= t),
     "precision": precision_score(y_test, test_p["average"] >= t, zero_division=1.0)}
    for t in grid])
fig, ax = plots.subplots()
sns.lineplot(data=curve.melt("threshold", var_name="metric"), x="threshold", y="value",
             hue="metric", ax=ax)
ax.axvline(threshold, color="k", ls="--", lw=1, label="recall-first threshold")
ax.axvline(0.5, color="grey", ls=":", lw=1, label="default 0.5")
ax.legend()
ax.set(title="Malignant-class recall and precision on the test split", ylabel="")
report.figure("med_threshold_fig", fig)

# %% [markdown]
# ```{glue:figure} med_threshold_fig
# :alt: Recall and precision of the averaged model on the test split against the decision threshold from 0 to 1; recall falls and precision rises as the threshold grows, with the recall-first threshold and 0.5 marked by vertical lines.
# :name: fig-med-threshold
#
# Malignant-class recall and precision of the averaged model over every threshold on the
# test split; the dashed line is the recall-first threshold chosen on validation data,
# the dotted one the default 0.5.
# ```

# %% [markdown]
# (ch06-medicine-voting)=
# ## Voting: hard and soft
#
# The source names voting first among its fusion strategies (投票). There are two kinds.
# A **hard vote** lets each member decide at 0.5 and predicts the majority label: two of
# three members saying "malignant" make a malignant prediction. A **soft vote** averages
# the members' probabilities and thresholds the average: it is the averaging above, read
# as a decision rule. `scalekit.apps.hard_vote` returns the share of members voting
# positive, `soft_vote` the mean probability. Both are compared, on the same test split,
# with the member that has the best test accuracy at 0.5 (picked with hindsight again).

# %%
member_val, member_test = val_p[names].to_numpy(), test_p[names].to_numpy()
hard_val, hard_test = apps.hard_vote(member_val), apps.hard_vote(member_test)
soft_test = apps.soft_vote(member_test)
best = max(names, key=lambda k: accuracy_score(y_test, test_p[k] >= 0.5))
rules = {f"best member ({best})": (test_p[best] >= 0.5, test_p[best]),
         "hard vote (2 of 3)": (hard_test > 0.5, hard_test),
         "soft vote (mean ≥ 0.5)": (soft_test >= 0.5, soft_test)}
votes = pd.DataFrame({
    name: {"test accuracy": accuracy_score(y_test, pred),
           "test recall": recall_score(y_test, pred),
           "test precision": precision_score(y_test, pred),
           "test ROC-AUC": roc_auc_score(y_test, score),
           "distinct scores": len(np.unique(score))}
    for name, (pred, score) in rules.items()}).T
report.table(votes.astype({"distinct scores": int}), digits=4)

# %% [markdown]
# The recall-first rule of the previous section, applied to the hard vote's share of
# positive votes instead of the average's probability:

# %%
hard_t = apps.threshold_for_recall(y_val, hard_val, target_recall)
hard_pred = hard_test >= hard_t
print(f"votes needed: {round(hard_t * len(names))} of {len(names)}; test recall "
      f"{recall_score(y_test, hard_pred):.3f}")

# %% tags=["remove-input"]
b, hard, soft = (votes.iloc[i] for i in range(3))
report.record(
    "med", vote_best_member_accuracy=b["test accuracy"],
    vote_best_member_recall=b["test recall"],
    vote_hard_accuracy=hard["test accuracy"], vote_hard_recall=hard["test recall"],
    vote_hard_auc=hard["test ROC-AUC"],
    vote_hard_distinct_scores=int(hard["distinct scores"]),
    vote_soft_accuracy=soft["test accuracy"], vote_soft_recall=soft["test recall"],
    vote_soft_auc=soft["test ROC-AUC"],
    vote_soft_average_max_abs_diff=compare.max_abs_diff(soft_test, test_p["average"]),
    vote_hard_recall_first_votes=round(hard_t * len(names)),
    vote_hard_recall_first_recall=recall_score(y_test, hard_pred),
    vote_hard_recall_first_false_alarms=int(((y_test == 0) & hard_pred).sum()))

# %% [markdown]
# At 0.5 the three rules are close: test accuracy
# {glue:text}`med_vote_hard_accuracy:.3f` for the hard vote and
# {glue:text}`med_vote_soft_accuracy:.3f` for the soft vote, against
# {glue:text}`med_vote_best_member_accuracy:.3f` for the best member; recall
# {glue:text}`med_vote_hard_recall:.3f`, {glue:text}`med_vote_soft_recall:.3f` and
# {glue:text}`med_vote_best_member_recall:.3f`. The soft vote's score is exactly the
# average's (largest difference {glue:text}`med_vote_soft_average_max_abs_diff:.1g`), so
# its ROC-AUC is the fusion AUC above, {glue:text}`med_vote_soft_auc:.4f`.
#
# A hard vote has no continuous score. The only ranking it offers is the number of
# votes, which takes {glue:text}`med_vote_hard_distinct_scores` distinct values on the
# test split, so its ROC curve has that many corners and most patients tie: a ROC-AUC
# computed on the vote share ({glue:text}`med_vote_hard_auc:.4f`) scores a coarse
# ranking, not the members' probabilities, and a hard vote at a single cut-off has no
# curve at all. The same coarseness limits a recall-first threshold: on the vote share
# the only rules are "flag a patient when at least 0, 1, 2 or 3 members vote malignant",
# and 0 flags everyone. For a validation recall of {glue:text}`med_target_recall:.2f`
# the rule needs {glue:text}`med_vote_hard_recall_first_votes` of the three votes: test
# recall {glue:text}`med_vote_hard_recall_first_recall:.3f` with
# {glue:text}`med_vote_hard_recall_first_false_alarms` false alarms, against
# {glue:text}`med_test_recall_at_threshold:.3f` and
# {glue:text}`med_false_alarms_at_threshold` for the soft vote. A malignant case that no
# member votes for ties with every benign case nobody votes for, so the only way a hard
# vote can catch it is to flag everybody; the soft vote's threshold can be set anywhere
# between 0 and 1, and it still ranks such a case by how close the members came. For a
# recall-first screening rule, vote with probabilities.

# %% [markdown]
# ## Calibration
#
# A threshold of, say, 0.2 only has a clinical meaning if the probabilities are
# *calibrated*: among cases given 0.2, about 20 % should be malignant. The reliability
# diagram bins the test predictions and plots the observed malignant share per bin; a
# calibrated model lies on the diagonal {cite:p}`guo2017calibration`. The Brier score in the
# table above (mean squared error of the probability) summarizes calibration and
# sharpness together: lower is better.

# %% tags=["remove-cell"]
fig, ax = plots.subplots(height=5.0)
for name in [*names, "average"]:
    frac_pos, mean_pred = calibration_curve(y_test, test_p[name], n_bins=5,
                                            strategy="quantile")
    ax.plot(mean_pred, frac_pos, marker="o", label=name)
ax.plot([0, 1], [0, 1], "k:", lw=1, label="perfect calibration")
ax.set(xlabel="mean predicted probability", ylabel="observed malignant share",
       title="Reliability diagram (test split)", aspect="equal")
ax.legend()
report.figure("med_calibration_fig", fig)

# %% [markdown]
# ```{glue:figure} med_calibration_fig
# :alt: Reliability diagram: observed malignant share against mean predicted probability in five bins for the logistic model, the MLP, the random forest and their average, with the diagonal of perfect calibration.
# :name: fig-med-calibration
#
# Reliability diagram on the test split (five bins of equal size): a calibrated model
# lies on the dotted diagonal.
# ```

# %% tags=["remove-input"]
brier = scores["test Brier score"]

# %% tags=["remove-input"]
report.record("med", brier_average=brier["average"],
              brier_best_member=brier[names].min())

# %% [markdown]
# The averaged model has a Brier score of {glue:text}`med_brier_average:.4f`, against
# {glue:text}`med_brier_best_member:.4f` for the best-calibrated member. With
# {glue:text}`med_n_test` test cases in five bins, each bin holds few patients, so the
# diagram is a sanity check, not a certificate; a real deployment would recalibrate on a
# larger, later cohort.
#
# ## What scaled, what it cost

# %%
infer = {}
for name, f in members.items():
    start = time.perf_counter()
    for _ in range(5):
        f(x_test)
    infer[name] = (time.perf_counter() - start) / 5 * 1e3
table = pd.DataFrame(costs).T
table["inference ms (test split)"] = pd.Series(infer)
table.loc["average of 3"] = table.sum()
table["test ROC-AUC"] = scores["test ROC-AUC"].rename({"average": "average of 3"})
report.table(table.astype({"parameters": int}), digits=3)

# %% [markdown]
# Fusion multiplies the cost by the number of members (parameters, training time and
# inference time are the sums of the members'); its gain on this data set is the
# difference of {glue:text}`med_ensemble_minus_best_member_auc:+.4f` in test ROC-AUC
# against the best member picked with hindsight. The recall-first threshold costs nothing
# to compute and changes the errors that matter most. Times are wall-clock on the machine
# that built the book; compare them within this table only.
#
# ## Summary
#
# * A threshold chosen on validation data for a recall of
#   {glue:text}`med_target_recall:.2f` ({glue:text}`med_threshold:.3f`) gave a test recall
#   of {glue:text}`med_test_recall_at_threshold:.3f` and missed
#   {glue:text}`med_missed_at_threshold` malignant cases, against
#   {glue:text}`med_missed_default` at 0.5.
# * It traded accuracy ({glue:text}`med_test_accuracy_at_threshold:.3f` against
#   {glue:text}`med_test_accuracy_default:.3f`) for the errors that matter: accuracy is the
#   wrong score for screening.
# * Averaging three different models reached a test ROC-AUC of
#   {glue:text}`med_ensemble_auc:.4f`, {glue:text}`med_ensemble_minus_best_member_auc:+.4f`
#   against the best member picked with hindsight and
#   {glue:text}`med_ensemble_minus_worst_member_auc:+.4f` against the worst: fusion is
#   insurance, at the members' combined cost.
# * A hard vote (accuracy {glue:text}`med_vote_hard_accuracy:.3f`) and a soft vote
#   ({glue:text}`med_vote_soft_accuracy:.3f`) are close to the best member
#   ({glue:text}`med_vote_best_member_accuracy:.3f`) at 0.5, but only the soft vote has a
#   score a recall-first threshold can be tuned on: the hard vote's has
#   {glue:text}`med_vote_hard_distinct_scores` values.
# * The average's Brier score is {glue:text}`med_brier_average:.4f` (best member
#   {glue:text}`med_brier_best_member:.4f`).
#
# ## Exercises
#
# 1. Set `target_recall = 1.0`. How many false alarms does catching every validation
#    cancer cost on the test split?
# 2. Weight the soft vote with `apps.soft_vote(member_val, weights)`, choosing the
#    weights on the validation split (e.g. in proportion to each member's validation
#    ROC-AUC). Does the weighted vote beat the plain average on the test split, and by
#    more than the noise of 143 patients?
# 3. Repeat the notebook for seeds 0–9 and plot the distribution of
#    `med_ensemble_minus_best_member_auc`. How often is the average better than the best
#    member chosen *on the validation split* rather than on the test split?
