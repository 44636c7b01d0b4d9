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
# (ch02-metrics)=
# # Metrics: accuracy, precision, recall, F1
#
# A model is scaled to make a number better, so the number must be the right one. The source
# (§2.1.2) names accuracy, precision, recall and F1; here each is implemented in NumPy in
# `scalekit.metrics`, checked against scikit-learn on real data, and put to work on the two
# questions that matter in practice: when does accuracy mislead, and how does the decision
# threshold trade precision against recall?
#
# For one class taken as "positive", every prediction is a true positive (TP), false
# positive (FP), false negative (FN) or true negative (TN):
#
# $$
# \text{precision}=\frac{TP}{TP+FP},\qquad \text{recall}=\frac{TP}{TP+FN},\qquad
# F_1=\frac{2\,\text{precision}\cdot\text{recall}}{\text{precision}+\text{recall}}
#    =\frac{2\,TP}{2\,TP+FP+FN}.
# $$
#
# With several classes, a **macro** average takes the mean of the per-class values (every
# class counts the same); a **micro** average pools the counts first (every example counts
# the same, and for single-label problems micro precision = micro recall = accuracy).

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
seed = 0                  # seed of the train/test split
minority_kept = 10        # malignant test cases kept in the imbalanced subset
recall_target = 0.99      # the recall a screening test must reach
thresholds = 201          # points on the precision/recall curve

# %%
import warnings

import numpy as np
import pandas as pd
import seaborn as sns
from sklearn import metrics as skm
from sklearn.linear_model import LogisticRegression

from scalekit import compare, data, env, metrics, plots, report

env.seed_everything(seed)
plots.set_theme()

# %% [markdown]
# ## A classifier on real data
#
# The breast-cancer set that ships with scikit-learn has 569 tumours described by 30
# measurements, 212 malignant. We call *malignant* the positive class (label 1): missing
# one is the costly error. The classifier is a logistic regression (the one-neuron
# "perceptron" of the next section, trained by scikit-learn, which keeps this page free
# of TensorFlow); it outputs a probability, and a threshold turns it into a label.
# `metrics.scores` returns accuracy, precision, recall and F1 in one dict.

# %%
split = data.load("breast_cancer", seed=seed)
y_train, y_test = 1 - split.y_train, 1 - split.y_test      # 1 = malignant
clf = LogisticRegression(max_iter=1000).fit(split.x_train, y_train)
p_test = clf.predict_proba(split.x_test)[:, 1]
y_hat = (p_test >= 0.5).astype(int)
ours = metrics.scores(y_test, y_hat)
theirs = {"accuracy": skm.accuracy_score(y_test, y_hat),
          "precision": skm.precision_score(y_test, y_hat),
          "recall": skm.recall_score(y_test, y_hat), "f1": skm.f1_score(y_test, y_hat)}
report.table(pd.DataFrame({"scalekit": ours, "scikit-learn": theirs}))

# %% [markdown]
# The confusion matrix behind those numbers (rows: truth, columns: prediction):

# %% tags=["remove-input"]
cm = metrics.confusion_matrix(y_test, y_hat, labels=[0, 1])
names = ["benign", "malignant"]
fig, ax = plots.subplots(height=3.0)
sns.heatmap(pd.DataFrame(cm, index=names, columns=names), annot=True, fmt="d",
            cbar=False, cmap="Blues", square=True, ax=ax)
ax.set(xlabel="predicted", ylabel="true", title="Confusion matrix at threshold 0.5")
report.figure("metric_confusion_fig", fig)

# %% [markdown]
# ```{glue:figure} metric_confusion_fig
# :alt: Two-by-two confusion matrix of the logistic regression on the breast-cancer test split at threshold 0.5; most counts lie on the diagonal, with a few benign tumours called malignant and a few malignant tumours called benign.
# :name: fig-metric-confusion
#
# Confusion matrix of the logistic regression on the test split (rows: true class,
# columns: predicted class).
# ```
#
# ## Checked against scikit-learn
#
# The unit tests compare `scalekit.metrics` with scikit-learn on thousands of random
# label draws. Here the comparison runs on real predictions: the binary case above, and a
# ten-class problem (the digits, with a multinomial logistic regression) in every
# averaging mode, plus the confusion matrices.

# %%
digits = data.load("digits", seed=seed)
d_clf = LogisticRegression(max_iter=2000).fit(digits.x_train, digits.y_train)
d_hat = d_clf.predict(digits.x_test)
pairs = {"precision": skm.precision_score, "recall": skm.recall_score,
         "f1": skm.f1_score}
multi = []
for name, sk_fn in pairs.items():
    for average in ("macro", "micro"):
        multi.append({"metric": name, "average": average,
                      "scalekit": getattr(metrics, name)(digits.y_test, d_hat,
                                                         average=average),
                      "scikit-learn": sk_fn(digits.y_test, d_hat, average=average)})
multi = pd.DataFrame(multi)
diffs = [
    compare.max_abs_diff(list(ours.values()), [theirs[k] for k in ours]),
    compare.max_abs_diff(cm, skm.confusion_matrix(y_test, y_hat)),
    compare.max_abs_diff(metrics.confusion_matrix(digits.y_test, d_hat),
                         skm.confusion_matrix(digits.y_test, d_hat)),
    compare.max_abs_diff(multi["scalekit"].to_numpy(float),
                         multi["scikit-learn"].to_numpy(float)),
]
report.table(multi, index=False)

# %%
report.record("metric", max_abs_diff_vs_sklearn=max(diffs),
              digits_macro_f1=metrics.f1(digits.y_test, d_hat, average="macro"))

# %% [markdown]
# The largest difference over all these numbers is
# {glue:text}`metric_max_abs_diff_vs_sklearn:.1e`. On the digits, macro F1 is
# {glue:text}`metric_digits_macro_f1:.3f`, close to micro F1 (= accuracy) because the ten
# classes are balanced.
#
# (ch02-accuracy-misleads)=
# ## When accuracy misleads
#
# Keep every benign test case but only {glue:text}`metric_minority_kept` malignant ones:
# a rare disease. A "classifier" that calls every tumour benign is now very accurate, and
# useless. Its precision is undefined (it never predicts the positive class:
# $TP+FP=0$); `scalekit.metrics` handles this as scikit-learn does by default: it returns
# 0.0 and emits an `UndefinedMetricWarning`, and `zero_division=0.0`, `1.0` or `nan`
# choose the value silently.

# %%
rng = np.random.default_rng(seed)
malignant = np.flatnonzero(y_test == 1)
kept = rng.choice(malignant, size=min(minority_kept, len(malignant)), replace=False)
keep = np.concatenate([np.flatnonzero(y_test == 0), kept])
y_imb, p_imb = y_test[keep], p_test[keep]
always_benign = np.zeros_like(y_imb)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    trivial_precision = metrics.precision(y_imb, always_benign)
print(f"{caught[0].category.__name__}: {caught[0].message} -> {trivial_precision}")
rows = {"always benign": metrics.scores(y_imb, always_benign),
        "logistic regression": metrics.scores(y_imb, (p_imb >= 0.5).astype(int))}
report.table(pd.DataFrame(rows).T)

# %% tags=["remove-input"]
report.record(
    "metric",
    minority_kept=len(kept),
    imbalanced_positive_rate=y_imb.mean(),
    trivial_accuracy=rows["always benign"]["accuracy"],
    trivial_recall=rows["always benign"]["recall"],
    model_recall_imbalanced=rows["logistic regression"]["recall"],
)

# %% [markdown]
# With {glue:text}`metric_imbalanced_positive_rate:.1%` positives, "always benign" scores
# an accuracy of {glue:text}`metric_trivial_accuracy:.3f` and a recall of
# {glue:text}`metric_trivial_recall:.2f`: it finds no cancer at all. The logistic
# regression finds {glue:text}`metric_model_recall_imbalanced:.0%` of them. On imbalanced
# data, report recall and precision (or F1) of the rare class, not accuracy alone (the
# same point the source makes in §2.1.5, here measured).
#
# ## The threshold trades precision against recall
#
# A probability becomes a label at a threshold $t$. Lowering $t$ flags more tumours:
# recall rises, precision falls. A screening test is recall-first: we look for the
# highest threshold that still reaches the target recall on the test set (in a real study
# the threshold would be chosen on a validation split, then confirmed on the test set).

# %%
grid = np.linspace(0.0, 1.0, thresholds)
curve = []
for t in grid:
    pred = (p_test >= t).astype(int)
    curve.append({"threshold": t,
                  "precision": metrics.precision(y_test, pred, zero_division=1.0),
                  "recall": metrics.recall(y_test, pred),
                  "f1": metrics.f1(y_test, pred)})
curve = pd.DataFrame(curve)
chosen = curve[curve["recall"] >= recall_target].iloc[-1]

# %% tags=["remove-input"]
report.record(
    "metric",
    recall_target=recall_target,
    recall_first_threshold=chosen["threshold"],
    recall_first_precision=chosen["precision"],
    best_f1=curve["f1"].max(),
    best_f1_threshold=curve.loc[curve["f1"].idxmax(), "threshold"],
)

# %% tags=["remove-input"]
long = curve.melt(id_vars="threshold", var_name="metric", value_name="value")
fig, ax = plots.subplots(height=3.6)
sns.lineplot(data=long, x="threshold", y="value", hue="metric", ax=ax)
ax.axvline(chosen["threshold"], color="grey", ls="--", lw=1)
ax.set(title="Precision, recall and F1 against the decision threshold",
       xlabel="threshold on P(malignant)", ylabel="")
report.figure("metric_threshold_fig", fig)

# %% [markdown]
# ```{glue:figure} metric_threshold_fig
# :alt: Precision, recall and F1 of the logistic regression plotted against the decision threshold from 0 to 1. Recall falls and precision rises as the threshold grows; a dashed vertical line marks the recall-first threshold, well below 0.5.
# :name: fig-metric-threshold
#
# Precision, recall and F1 on the test split as the threshold on P(malignant) moves; the
# dashed line marks the highest threshold that keeps recall at the target.
# ```
#
# The highest threshold with recall ≥ {glue:text}`metric_recall_target:.2f` is
# {glue:text}`metric_recall_first_threshold:.3f` (dashed line), where precision is
# {glue:text}`metric_recall_first_precision:.3f`; F1 peaks at
# {glue:text}`metric_best_f1:.3f` at a threshold of
# {glue:text}`metric_best_f1_threshold:.3f`. Which point is right is not a property of
# the model but of the costs of the two errors. (At threshold 1 nothing is predicted
# positive, and the curve uses `zero_division=1.0` for precision there, a documented
# choice for plotting.)
#
# ## Summary
#
# * `scalekit.metrics` agrees with scikit-learn to
#   {glue:text}`metric_max_abs_diff_vs_sklearn:.1e` on binary and ten-class predictions
#   (macro F1 on the digits: {glue:text}`metric_digits_macro_f1:.3f`).
# * With {glue:text}`metric_imbalanced_positive_rate:.1%` positives, "always benign" is
#   {glue:text}`metric_trivial_accuracy:.1%` accurate and finds no cancer (recall
#   {glue:text}`metric_trivial_recall:.2f`): accuracy alone misleads.
# * A recall-first threshold of {glue:text}`metric_recall_first_threshold:.3f` reaches
#   recall ≥ {glue:text}`metric_recall_target:.2f` at precision
#   {glue:text}`metric_recall_first_precision:.3f`; F1 peaks at
#   {glue:text}`metric_best_f1:.3f`.
#
# ## Exercises
#
# 1. Compute macro and micro F1 on the imbalanced subset for both classifiers. Which one
#    hides the failure of "always benign"?
# 2. Choose the recall-first threshold on a validation split carved from the training
#    set, then report test recall. Does it still reach the target?
# 3. Implement the F-beta score (recall weighted β times as much as precision) in NumPy
#    and check it against `sklearn.metrics.fbeta_score`.
