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
# (ch06-nlp)=
# # NLP: transfer and multi-task learning on text every machine has
#
# The source's NLP case (its §6.4) speaks of translation and sentiment analysis on "large
# text data", and its list of methods (§1.5) names **transfer learning** and **multi-task
# learning** without showing either. Both are measured here on a corpus present wherever
# Python is: the source files of the Python standard library.
#
# * **What is read.** `scalekit.data.stdlib_files` lists the `.py` files under
#   `sysconfig.get_paths()["stdlib"]` in sorted order, skipping test suites, IDLE, demos
#   and installed packages, and assigns each file to a *train* or *held-out* part by a hash
#   of its relative path (about one file in ten is held out). `stdlib_text` concatenates
#   the train files up to `corpus_chars` characters; `encode_text` maps characters to the
#   97 ids of `VOCAB` (printable ASCII, newline, and one id for everything else). The exact
#   text depends on the Python version, so the numbers do too, a little.
# * **Pre-training** (unlabelled, large): predict the next character of train-part text.
# * **Labelled tasks** (small): is a 128-character snippet of a held-out file *mostly
#   prose (comments and string literals, including docstrings) or code?* (the transfer
#   task), and *from which of a few held-out files does it come?* (the second task of the
#   multi-task experiment).
#   Held-out files never appear in pre-training, and test snippets come from the end of
#   each file, training snippets from its beginning, so no test text was seen.
#
# Transfer learning is surveyed by {cite:t}`pan2010survey`; multi-task learning with a
# shared representation by {cite:t}`caruana1997multitask`.

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
epochs = 30                           # passes over the labelled set (fine-tuning, scratch)
pretrain_epochs = 6                   # passes over the unlabelled corpus
corpus_chars = 600_000                # characters of the standard library to pre-train on
labelled_sizes = [16, 64, 256]        # labelled training snippets for the transfer task
repeats = 5                           # draws of each labelled set (results are averaged)
multitask_size = 128                  # labelled snippets for the multi-task comparison
n_sources = 4                         # classes of the labelled task (held-out files)
snippet_chars = 128                   # characters per snippet and per pre-training window

# %% [markdown]
# ## The corpus and the labelled task

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from myst_nb import glue

from scalekit import apps, data, env, models, plots

tf = env.setup(seed=seed)
plots.set_theme()

corpus = data.encode_text(data.stdlib_text(corpus_chars, split="train"))
heldout = [p for p in data.stdlib_files("heldout") if "encodings" not in p.parts]
heldout = sorted(heldout, key=lambda p: (-p.stat().st_size, p.name))[:n_sources]
names = [p.name for p in heldout]
task = apps.snippet_task([p.read_text(encoding="utf-8") for p in heldout],
                         length=snippet_chars, test_fraction=0.3, names=names)
print(f"pre-training text: {len(corpus):,} characters of {len(data.stdlib_files('train'))} "
      f"train files (read in sorted order)")
print(f"labelled task: {names}; train snippets {len(task.y_train)}, test {len(task.y_test)}; "
      f"prose share {task.prose_train.mean():.2f}")
print(data.decode_text(task.x_train[1]))

# %% [markdown]
# The encoding table (`VOCAB`) maps unknown characters, such as tabs or non-ASCII
# letters, to id 0. Labelled sets of each size are drawn from the training snippets,
# stratified by class, with the seed; the test snippets are always all of them.

# %%
def subset(n: int, labels: np.ndarray, rng_seed: int) -> np.ndarray:
    """Indices of n training snippets, (nearly) the same number per class."""
    rng = np.random.default_rng(rng_seed)
    per_class = [rng.permutation(np.flatnonzero(labels == c)) for c in range(n_sources)]
    take = [pc[: n // n_sources + (c < n % n_sources)] for c, pc in enumerate(per_class)]
    return np.sort(np.concatenate(take))


sizes = [n for n in labelled_sizes if n <= len(task.y_train)]
glue("nlp_corpus_chars", int(len(corpus)), display=False)
glue("nlp_n_test", int(len(task.y_test)), display=False)
glue("nlp_n_sources", int(n_sources), display=False)

# %% [markdown]
# ## The encoder, and pre-training it on next-character prediction
#
# One small encoder serves every experiment: an embedding of the 97 characters and three
# *causal* 1-D convolutions with growing dilation (each position sees only itself and the
# characters before it, so predicting the next character is an honest task). For
# pre-training, a `Dense(97)` layer on every position predicts the next character; the
# loss is the cross-entropy in nats per character.

# %%
VOCAB_SIZE = len(data.VOCAB)


def encoder(name: str = "encoder") -> tf.keras.Model:
    inputs = tf.keras.Input(shape=(None,), dtype="int32")
    h = tf.keras.layers.Embedding(VOCAB_SIZE, 32)(inputs)
    for dilation in (1, 2, 4):
        h = tf.keras.layers.Conv1D(64, 5, padding="causal", dilation_rate=dilation,
                                   activation="relu")(h)
    return tf.keras.Model(inputs, h, name=name)


windows = len(corpus) // (snippet_chars + 1)
seqs = corpus[: windows * (snippet_chars + 1)].reshape(windows, snippet_chars + 1)
tf.keras.utils.set_random_seed(seed)
pre_encoder = encoder("pretrained_encoder")
language_model = tf.keras.Sequential([pre_encoder, tf.keras.layers.Dense(VOCAB_SIZE)])
language_model.compile(optimizer=tf.keras.optimizers.Adam(3e-3),
                       loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
start = time.perf_counter()
history = language_model.fit(seqs[:, :-1], seqs[:, 1:], epochs=pretrain_epochs, batch_size=64,
                             validation_split=0.05, verbose=0)
pretrain_seconds = time.perf_counter() - start
pd.DataFrame(history.history).rename_axis("epoch").round(3)

# %%
glue("nlp_pretrain_loss", float(history.history["val_loss"][-1]), display=False)
glue("nlp_unigram_loss", float(-np.sum((f := np.bincount(corpus, minlength=VOCAB_SIZE)
                                        / len(corpus))[f > 0] * np.log(f[f > 0]))),
     display=False)
glue("nlp_pretrain_seconds", float(pretrain_seconds), display=False)

# %% [markdown]
# After pre-training, the next-character loss on held-back windows is
# {glue:text}`nlp_pretrain_loss:.3f` nats per character, against
# {glue:text}`nlp_unigram_loss:.3f` for the best guess that ignores context (the entropy
# of the character frequencies): the encoder has learned something about the structure of
# Python source. That took {glue:text}`nlp_pretrain_seconds:.0f` s, paid once.
#
# ## Transfer learning versus training from scratch
#
# The transfer task is *prose or code*: whether most of a snippet lies in comments and
# string literals. Three ways to get a classifier from a few labelled snippets:
#
# * **transfer**: keep the pre-trained encoder *frozen*, pool its features over the
#   snippet (mean and maximum per channel) and train only a small head on top, a
#   standardizing `Normalization` layer and a `Dense(2)` layer with an L2 penalty that
#   shrinks as the labelled set grows (5 / number of labelled snippets). The
#   encoder's features are computed once; the head trains full-batch in a moment;
# * **random encoder** (a control): exactly the same, but the frozen encoder has random
#   weights, so any gain over it is due to pre-training, not to the head;
# * **scratch**: the whole network (encoder, pooling, head) trained end to end from a
#   random initialization on the labelled snippets, `epochs` passes at batch size 16.
#
# Each point is the mean over `repeats` draws of the labelled set.

# %%
def pooled_features(enc: tf.keras.Model, x: np.ndarray) -> np.ndarray:
    h = enc.predict(x, batch_size=256, verbose=0)           # (snippets, positions, channels)
    return np.concatenate([h.mean(axis=1), h.max(axis=1)], axis=1)


def train_head(features, y, outputs):
    norm = tf.keras.layers.Normalization()
    norm.adapt(features)
    head = tf.keras.Sequential([tf.keras.Input(shape=(features.shape[1],)), norm,
                                tf.keras.layers.Dense(outputs, kernel_regularizer=(
                                    tf.keras.regularizers.L2(5.0 / len(y))))])
    head.compile(optimizer=tf.keras.optimizers.Adam(1e-2),
                 loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                 metrics=["accuracy"])
    head.fit(features, y, epochs=200, batch_size=len(y), verbose=0)
    return head


def classifier(outputs: int, name: str) -> tf.keras.Model:
    enc = encoder()
    inputs = tf.keras.Input(shape=(snippet_chars,), dtype="int32")
    pooled = tf.keras.layers.GlobalAveragePooling1D()(enc(inputs))
    return tf.keras.Model(inputs, tf.keras.layers.Dense(outputs)(pooled), name=name)


def fit_classifier(model, x, y):
    model.compile(optimizer=tf.keras.optimizers.Adam(1e-3),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x, y, epochs=epochs, batch_size=16, verbose=0)
    return time.perf_counter() - start


tf.keras.utils.set_random_seed(seed)
random_encoder = encoder("random_encoder")
features = {"transfer (pre-trained, frozen)": pre_encoder, "random encoder, frozen": random_encoder}
train_f = {k: pooled_features(e, task.x_train) for k, e in features.items()}
test_f = {k: pooled_features(e, task.x_test) for k, e in features.items()}

rows = []
for n in sizes:
    for r in range(repeats):
        idx = subset(n, task.y_train, seed + 1000 * r + n)
        y = task.prose_train[idx]
        for name in features:
            tf.keras.utils.set_random_seed(seed + r)
            start = time.perf_counter()
            head = train_head(train_f[name][idx], y, 2)
            seconds = time.perf_counter() - start
            acc = head.evaluate(test_f[name], task.prose_test, verbose=0)[1]
            rows.append({"labelled snippets": n, "repeat": r, "start": name,
                         "test accuracy": acc, "train seconds": seconds,
                         "trainable parameters": models.count_params(head)["trainable"]})
        tf.keras.utils.set_random_seed(seed + r)
        model = classifier(2, "scratch")
        seconds = fit_classifier(model, task.x_train[idx], y)
        acc = model.evaluate(task.x_test, task.prose_test, verbose=0)[1]
        rows.append({"labelled snippets": n, "repeat": r, "start": "scratch",
                     "test accuracy": acc, "train seconds": seconds,
                     "trainable parameters": models.count_params(model)["trainable"]})
transfer = pd.DataFrame(rows)
acc_table = transfer.pivot_table(index="labelled snippets", columns="start",
                                 values="test accuracy", aggfunc="mean")
acc_table.round(3)

# %%
ax = sns.lineplot(data=transfer, x="labelled snippets", y="test accuracy", hue="start",
                  marker="o", errorbar=("pi", 100))
majority = max(task.prose_test.mean(), 1 - task.prose_test.mean())
ax.axhline(majority, color="grey", ls=":", label="always the majority class")
ax.set(xscale="log", title="Prose or code? (snippets of held-out files)")
ax.legend(fontsize=8)
plt.show()

# %%
pre_col, rnd_col = "transfer (pre-trained, frozen)", "random encoder, frozen"
gain = acc_table[pre_col] - acc_table["scratch"]
glue("nlp_transfer_minus_scratch_acc", float(gain.iloc[0]), display=False)
glue("nlp_transfer_minus_scratch_acc_largest", float(gain.iloc[-1]), display=False)
glue("nlp_transfer_minus_random_acc", float((acc_table[pre_col] - acc_table[rnd_col]).iloc[0]),
     display=False)
glue("nlp_transfer_acc_smallest", float(acc_table[pre_col].iloc[0]), display=False)
glue("nlp_scratch_acc_smallest", float(acc_table["scratch"].iloc[0]), display=False)
glue("nlp_smallest_size", int(acc_table.index[0]), display=False)
glue("nlp_largest_size", int(acc_table.index[-1]), display=False)
glue("nlp_repeats", int(repeats), display=False)
glue("nlp_prose_majority_acc", float(majority), display=False)

# %% [markdown]
# (ch06-nlp-transfer)=
# With {glue:text}`nlp_smallest_size` labelled snippets (mean of
# {glue:text}`nlp_repeats` draws), a head on the frozen pre-trained encoder reaches a test
# accuracy of {glue:text}`nlp_transfer_acc_smallest:.3f` and the network trained from
# scratch {glue:text}`nlp_scratch_acc_smallest:.3f`: transfer changes accuracy by
# {glue:text}`nlp_transfer_minus_scratch_acc:+.3f`, and by
# {glue:text}`nlp_transfer_minus_random_acc:+.3f` against the same head on a *random*
# frozen encoder. At {glue:text}`nlp_largest_size` snippets the difference to scratch is
# {glue:text}`nlp_transfer_minus_scratch_acc_largest:+.3f`. Always answering the
# majority class scores {glue:text}`nlp_prose_majority_acc:.3f`. The source says transfer
# learning is "especially effective in resource-constrained settings"; the constrained
# resource is *labelled* data, and the measurement says how much a cheap pre-training run
# is worth at each amount of it. The test set has {glue:text}`nlp_n_test` snippets, so
# one snippet is worth a fraction of a percentage point.
#
# Why frozen features rather than fine-tuning everything? With a few dozen labels, a
# randomly initialized head on top of a fine-tuned encoder needs many steps to settle,
# during which it can overwrite what pre-training learned; a frozen encoder keeps it, and
# its head trains to convergence in a fraction of a second (exercise 1 compares).
#
# ## Multi-task learning: one shared encoder, two heads
#
# Now two tasks on the same snippets: *which file* and *prose or code*. The multi-task
# model has one encoder (from scratch, so that only sharing differs) and two heads, trained
# on the sum of the two losses; the baseline is two separate single-task models of the
# same architecture. All get the same `multitask_size` labelled snippets and epochs.

# %%
def multitask_model() -> tf.keras.Model:
    enc = encoder()
    inputs = tf.keras.Input(shape=(snippet_chars,), dtype="int32")
    pooled = tf.keras.layers.GlobalAveragePooling1D()(enc(inputs))
    return tf.keras.Model(inputs, {"source": tf.keras.layers.Dense(n_sources, name="source")(pooled),
                                   "prose": tf.keras.layers.Dense(2, name="prose")(pooled)},
                          name="multitask")


idx = subset(min(multitask_size, len(task.y_train)), task.y_train, seed + 1)
x_mt = task.x_train[idx]
targets = {"source": task.y_train[idx], "prose": task.prose_train[idx]}
tf.keras.utils.set_random_seed(seed)
shared = multitask_model()
loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
shared.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss={"source": loss, "prose": loss},
               metrics={"source": "accuracy", "prose": "accuracy"})
start = time.perf_counter()
shared.fit(x_mt, targets, epochs=epochs, batch_size=16, verbose=0)
mt_seconds = time.perf_counter() - start
logits = shared.predict(task.x_test, verbose=0)
mt_acc = {"source": float(np.mean(logits["source"].argmax(1) == task.y_test)),
          "prose": float(np.mean(logits["prose"].argmax(1) == task.prose_test))}

single_acc, single_seconds, single_params = {}, 0.0, 0
for key, outputs, y_test in (("source", n_sources, task.y_test), ("prose", 2, task.prose_test)):
    tf.keras.utils.set_random_seed(seed)
    model = classifier(outputs, f"single_{key}")
    single_seconds += fit_classifier(model, x_mt, targets[key])
    single_acc[key] = float(model.evaluate(task.x_test, y_test, verbose=0)[1])
    single_params += models.count_params(model)["total"]

mt_table = pd.DataFrame({"multi-task (shared encoder)": mt_acc, "two single-task models": single_acc})
mt_table.loc["parameters"] = [models.count_params(shared)["total"], single_params]
mt_table.loc["train seconds"] = [mt_seconds, single_seconds]
mt_table.round(3)

# %%
mt_gain = np.mean([mt_acc[k] - single_acc[k] for k in mt_acc])
glue("nlp_multitask_minus_single_acc", float(mt_gain), display=False)
glue("nlp_multitask_source_acc", mt_acc["source"], display=False)
glue("nlp_single_source_acc", single_acc["source"], display=False)
glue("nlp_multitask_prose_acc", mt_acc["prose"], display=False)
glue("nlp_single_prose_acc", single_acc["prose"], display=False)
glue("nlp_multitask_params", int(models.count_params(shared)["total"]), display=False)
glue("nlp_single_params", int(single_params), display=False)
glue("nlp_multitask_size", int(len(idx)), display=False)

# %% [markdown]
# (ch06-nlp-multitask)=
# With {glue:text}`nlp_multitask_size` labelled snippets, the shared encoder scores
# {glue:text}`nlp_multitask_source_acc:.3f` on *which file* and
# {glue:text}`nlp_multitask_prose_acc:.3f` on *prose or code*; the two separate models
# score {glue:text}`nlp_single_source_acc:.3f` and {glue:text}`nlp_single_prose_acc:.3f`
# (always answering the majority class of *prose or code* would score
# {glue:text}`nlp_prose_majority_acc:.3f`). Averaged over the two tasks, multi-task
# learning changes test accuracy by {glue:text}`nlp_multitask_minus_single_acc:+.3f`,
# with {glue:text}`nlp_multitask_params` parameters instead of
# {glue:text}`nlp_single_params`. What sharing reliably buys is the halved model and
# training cost; whether it also improves accuracy depends on how much the tasks help
# each other, so the source's "improves generalization" is a possibility to measure,
# not a property of the method.
#
# ## What scaled, what it cost

# %%
scratch_params = int(transfer.loc[transfer["start"] == "scratch", "trainable parameters"].iloc[0])
head_params = int(transfer.loc[transfer["start"] == pre_col, "trainable parameters"].iloc[0])
summary = pd.DataFrame({
    "method": ["transfer (frozen pre-trained encoder)", "multi-task (shared encoder)"],
    "accuracy gain": [float(gain.iloc[0]), float(mt_gain)],
    "measured at": [f"{acc_table.index[0]} labelled snippets", f"{len(idx)} labelled snippets"],
    "trainable parameters": [head_params, int(models.count_params(shared)["total"])],
    "... of the alternative": [scratch_params, single_params],
    "extra one-off cost": [f"pre-training: {pretrain_seconds:.0f} s on "
                           f"{len(corpus):,} characters", "none"],
})
summary

# %% [markdown]
# Transfer trains only a small head (the encoder's weights are reused, frozen); it moves
# cost from labelling to a one-off pre-training run on unlabelled text, which every later
# task reuses. Multi-task learning saves parameters and training time, and its accuracy
# effect is the measured number above. The transfer result averages a few draws of the
# labelled set, the multi-task result is a single run, and both are scored on a few
# hundred test snippets: treat differences of a point or two as noise unless they
# persist across seeds.
#
# ## Exercises
#
# 1. Fine-tune the whole pre-trained network instead of freezing it (copy the weights
#    into `classifier`'s encoder with `set_weights`). At which labelled-set size does
#    fine-tuning overtake the frozen encoder?
# 2. Pre-train on ten times fewer characters (`corpus_chars`). How much of the transfer
#    gain at the smallest size survives?
# 3. Run the transfer comparison on the *which file* task (`task.y_train`). Does
#    next-character pre-training help there, and why might it not?
# 4. Repeat the multi-task comparison with seeds 0–4 and report the mean and spread of
#    `nlp_multitask_minus_single_acc`.
