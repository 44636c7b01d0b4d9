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

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from myst_nb import glue
from sklearn import metrics as skm
from sklearn.linear_model import LogisticRegression

from scalekit import data, env, metrics, plots

env.seed_everything(seed)
plots.set_theme()

# %% [markdown]
# ## A classifier on real data
#
# The breast-cancer set that ships with scikit-learn has 569 tumours described by 30
# measurements, 212 malignant. We call *malignant* the positive class (label 1): missing one
# is the costly error. The classifier is a logistic regression (the one-neuron
# "perceptron" of the next section, trained by scikit-learn, which keeps this page free of
# TensorFlow); it outputs a probability, and a threshold turns it into a label.

# %%
split = data.load("breast_cancer", seed=seed)
y_train, y_test = 1 - split.y_train, 1 - split.y_test      # 1 = malignant
clf = LogisticRegression(max_iter=1000).fit(split.x_train, y_train)
p_test = clf.predict_proba(split.x_test)[:, 1]
y_hat = (p_test >= 0.5).astype(int)
ours = metrics.report(y_test, y_hat)
theirs = {"accuracy": skm.accuracy_score(y_test, y_hat),
          "precision": skm.precision_score(y_test, y_hat),
          "recall": skm.recall_score(y_test, y_hat), "f1": skm.f1_score(y_test, y_hat)}
pd.DataFrame({"scalekit": ours, "scikit-learn": theirs})

# %% [markdown]
# The confusion matrix behind those numbers (rows: truth, columns: prediction):

# %%
cm = metrics.confusion_matrix(y_test, y_hat, labels=[0, 1])
ax = sns.heatmap(pd.DataFrame(cm, index=["benign", "malignant"], columns=["benign", "malignant"]),
                 annot=True, fmt="d", cbar=False, cmap="Blues")
_ = ax.set(xlabel="predicted", ylabel="true", title="Confusion matrix at threshold 0.5")

# %% [markdown]
# ## Checked against scikit-learn
#
# The unit tests compare `scalekit.metrics` with scikit-learn on thousands of random label
# draws. Here the comparison runs on real predictions: the binary case above, and a
# ten-class problem (the digits, with a multinomial logistic regression) in every averaging
# mode, plus the confusion matrices.

# %%
digits = data.load("digits", seed=seed)
d_hat = LogisticRegression(max_iter=2000).fit(digits.x_train, digits.y_train).predict(digits.x_test)
diffs = [abs(ours[k] - theirs[k]) for k in ours]
diffs.append(np.abs(cm - skm.confusion_matrix(y_test, y_hat)).max())
diffs.append(np.abs(metrics.confusion_matrix(digits.y_test, d_hat)
                    - skm.confusion_matrix(digits.y_test, d_hat)).max())
pairs = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}
multi = []
for name, sk_fn in pairs.items():
    for average in ("macro", "micro"):
        a = getattr(metrics, name)(digits.y_test, d_hat, average=average)
        b = sk_fn(digits.y_test, d_hat, average=average)
        multi.append({"metric": name, "average": average, "scalekit": a, "scikit-learn": b})
        diffs.append(abs(a - b))
max_diff = float(max(diffs))
glue("metrics_max_abs_diff_vs_sklearn", max_diff, display=False)
glue("digits_macro_f1", float(metrics.f1(digits.y_test, d_hat, average="macro")), display=False)
pd.DataFrame(multi)

# %% [markdown]
# The largest difference over all these numbers is
# {glue:text}`metrics_max_abs_diff_vs_sklearn:.1e`. On the digits, macro F1 is
# {glue:text}`digits_macro_f1:.3f`, close to micro F1 (= accuracy) because the ten classes
# are balanced.
#
# (ch02-accuracy-misleads)=
# ## When accuracy misleads
#
# Keep every benign test case but only {glue:text}`minority_kept` malignant ones: a rare
# disease. A "classifier" that calls every tumour benign is now very accurate, and useless.
# Its precision is undefined (it never predicts the positive class: $TP+FP=0$);
# `scalekit.metrics` handles this as scikit-learn does by default: it returns 0.0 and emits
# an `UndefinedMetricWarning`, and `zero_division=0.0`, `1.0` or `nan` choose the value
# silently.

# %%
glue("minority_kept", int(minority_kept), display=False)
rng = np.random.default_rng(seed)
malignant = np.flatnonzero(y_test == 1)
keep = np.concatenate([np.flatnonzero(y_test == 0),
                       rng.choice(malignant, size=min(minority_kept, len(malignant)),
                                  replace=False)])
y_imb, p_imb = y_test[keep], p_test[keep]
always_benign = np.zeros_like(y_imb)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    trivial_precision = metrics.precision(y_imb, always_benign)
rows = {"always benign": metrics.report(y_imb, always_benign),
        "logistic regression": metrics.report(y_imb, (p_imb >= 0.5).astype(int))}
glue("imbalanced_positive_rate", float(y_imb.mean()), display=False)
glue("trivial_accuracy", rows["always benign"]["accuracy"], display=False)
glue("trivial_recall", rows["always benign"]["recall"], display=False)
glue("model_recall_imbalanced", rows["logistic regression"]["recall"], display=False)
print([str(w.message) for w in caught], "->", trivial_precision)
pd.DataFrame(rows).T

# %% [markdown]
# With {glue:text}`imbalanced_positive_rate:.1%` positives, "always benign" scores an accuracy
# of {glue:text}`trivial_accuracy:.3f` and a recall of {glue:text}`trivial_recall:.2f`: it
# finds no cancer at all. The logistic regression finds
# {glue:text}`model_recall_imbalanced:.0%` of them. On imbalanced data, report recall and
# precision (or F1) of the rare class, not accuracy alone (the same point the source makes
# in §2.1.5, here measured).
#
# ## The threshold trades precision against recall
#
# A probability becomes a label at a threshold $t$. Lowering $t$ flags more tumours:
# recall rises, precision falls. A screening test is recall-first: we look for the highest
# threshold that still reaches the target recall on the test set (in a real study the
# threshold would be chosen on a validation split, then confirmed on the test set).

# %%
grid = np.linspace(0.0, 1.0, thresholds)
curve = []
for t in grid:
    pred = (p_test >= t).astype(int)
    curve.append({"threshold": t,
                  "precision": metrics.precision(y_test, pred, zero_division=1.0),
                  "recall": metrics.recall(y_test, pred), "f1": metrics.f1(y_test, pred)})
curve = pd.DataFrame(curve)
ok = curve[curve["recall"] >= recall_target]
chosen = ok.iloc[-1]
glue("recall_target", float(recall_target), display=False)
glue("recall_first_threshold", float(chosen["threshold"]), display=False)
glue("recall_first_precision", float(chosen["precision"]), display=False)
glue("best_f1", float(curve["f1"].max()), display=False)
glue("best_f1_threshold", float(curve.loc[curve["f1"].idxmax(), "threshold"]), display=False)
long = curve.melt(id_vars="threshold", var_name="metric", value_name="value")
ax = sns.lineplot(data=long, x="threshold", y="value", hue="metric")
ax.axvline(chosen["threshold"], color="grey", ls="--", lw=1)
_ = ax.set(title="Precision, recall and F1 against the decision threshold",
           xlabel="threshold on P(malignant)", ylabel="")
plt.show()

# %% [markdown]
# The highest threshold with recall ≥ {glue:text}`recall_target:.2f` is
# {glue:text}`recall_first_threshold:.3f` (dashed line), where precision is
# {glue:text}`recall_first_precision:.3f`; F1 peaks at {glue:text}`best_f1:.3f` at a threshold
# of {glue:text}`best_f1_threshold:.3f`. Which point is right is not a property of the model
# but of the costs of the two errors. (At threshold 1 nothing is predicted positive, and the
# curve uses `zero_division=1.0` for precision there, a documented choice for plotting.)
#
# ## Exercises
#
# 1. Compute macro and micro F1 on the imbalanced subset for both classifiers. Which one
#    hides the failure of "always benign"?
# 2. Choose the recall-first threshold on a validation split carved from the training set,
#    then report test recall. Does it still reach the target?
# 3. Implement the F-beta score (recall weighted β times as much as precision) in NumPy and
#    check it against `sklearn.metrics.fbeta_score`.
