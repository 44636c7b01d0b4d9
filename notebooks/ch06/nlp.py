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
# Python is: the source files of the Python standard library. (Translation and sentiment
# themselves are run on {ref}`ch06-translation`.)
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
seed = 0                        # every random draw follows from it
epochs = 30                     # passes over the labelled set (fine-tuning, scratch)
pretrain_epochs = 6             # passes over the unlabelled corpus
corpus_chars = 600_000          # characters of the standard library to pre-train on
labelled_sizes = [16, 64, 256]  # labelled training snippets for the transfer task
repeats = 5                     # draws of each labelled set (results averaged)
multitask_size = 128            # labelled snippets for the multi-task comparison
n_sources = 4                   # classes of the labelled task (held-out files)
snippet_chars = 128             # characters per snippet and per pre-training window

# %% [markdown]
# ## The corpus and the labelled task

# %%
import time

import numpy as np
import pandas as pd
import seaborn as sns

from scalekit import data, env, models, plots, report

tf = env.setup(seed=seed)
plots.set_theme()

corpus = data.encode_text(data.stdlib_text(corpus_chars, split="train"))
heldout = [p for p in data.stdlib_files("heldout") if "encodings" not in p.parts]
heldout = sorted(heldout, key=lambda p: (-p.stat().st_size, p.name))[:n_sources]
names = [p.name for p in heldout]
task = data.snippet_task([p.read_text(encoding="utf-8") for p in heldout],
                         length=snippet_chars, test_fraction=0.3, names=names)
print(f"pre-training text: {len(corpus):,} characters of "
      f"{len(data.stdlib_files('train'))} train files (read in sorted order)")
print(f"labelled task: {names}; train snippets {len(task.y_train)}, "
      f"test {len(task.y_test)}; prose share {task.prose_train.mean():.2f}")
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
    take = [pc[: n // n_sources + (c < n % n_sources)]
            for c, pc in enumerate(per_class)]
    return np.sort(np.concatenate(take))


sizes = [n for n in labelled_sizes if n <= len(task.y_train)]

# %% tags=["remove-input"]
report.record("nlp", corpus_chars=len(corpus), n_test=len(task.y_test),
              n_sources=n_sources)

# %% [markdown]
# ## The encoder, and pre-training it on next-character prediction
#
# One small encoder serves every experiment: an embedding of the 97 characters and three
# *causal* 1-D convolutions with growing dilation (each position sees only itself and the
# characters before it, so predicting the next character is an honest task). For
# pre-training, a `Dense(97)` layer on every position predicts the next character; the
# loss is the cross-entropy in nats per character. The windows are fed by a shuffled,
# batched, prefetched `tf.data` pipeline (`scalekit.data.to_dataset`); the last 5% of the
# windows are held back to measure the loss.

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
n_val = max(1, windows // 20)
train_seqs, val_seqs = seqs[:-n_val], seqs[-n_val:]
pretrain_data = data.to_dataset(train_seqs[:, :-1], train_seqs[:, 1:], batch_size=64,
                                shuffle=True, seed=seed)
val_data = data.to_dataset(val_seqs[:, :-1], val_seqs[:, 1:], batch_size=256)
tf.keras.utils.set_random_seed(seed)
pre_encoder = encoder("pretrained_encoder")
language_model = tf.keras.Sequential([pre_encoder, tf.keras.layers.Dense(VOCAB_SIZE)])
language_model.compile(
    optimizer=tf.keras.optimizers.Adam(3e-3),
    loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
start = time.perf_counter()
history = language_model.fit(pretrain_data, validation_data=val_data,
                             epochs=pretrain_epochs, verbose=0)
pretrain_seconds = time.perf_counter() - start
report.table(pd.DataFrame(history.history).rename_axis("epoch"), digits=3)

# %% tags=["remove-input"]
freq = np.bincount(corpus, minlength=VOCAB_SIZE) / len(corpus)

# %% tags=["remove-input"]
report.record("nlp", pretrain_loss=history.history["val_loss"][-1],
              unigram_loss=-np.sum(freq[freq > 0] * np.log(freq[freq > 0])),
              pretrain_seconds=pretrain_seconds)

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
    h = enc.predict(x, batch_size=256, verbose=0)  # (snippets, positions, channels)
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
features = {"transfer (pre-trained, frozen)": pre_encoder,
            "random encoder, frozen": random_encoder}
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
                         "trainable parameters":
                             models.count_params(head)["trainable"]})
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
report.table(acc_table, digits=3)

# %% tags=["remove-cell"]
fig, ax = plots.subplots()
sns.lineplot(data=transfer, x="labelled snippets", y="test accuracy", hue="start",
             marker="o", errorbar=("pi", 100), ax=ax)
majority = max(task.prose_test.mean(), 1 - task.prose_test.mean())
ax.axhline(majority, color="grey", ls=":", label="always the majority class")
ax.set(xscale="log", title="Prose or code? (snippets of held-out files)")
ax.legend()
report.figure("nlp_transfer_fig", fig)

# %% [markdown]
# ```{glue:figure} nlp_transfer_fig
# :alt: Test accuracy on the prose-or-code task against the number of labelled snippets on a log axis, for a head on the frozen pre-trained encoder, a head on a frozen random encoder, and a network trained from scratch, with bands spanning the repeats and the majority-class accuracy dotted.
# :name: fig-nlp-transfer
#
# Prose or code? Mean test accuracy over the draws of the labelled set (bands: the range
# over draws) for the three ways of getting a classifier.
# ```

# %% tags=["remove-input"]
pre_col, rnd_col = "transfer (pre-trained, frozen)", "random encoder, frozen"
gain = acc_table[pre_col] - acc_table["scratch"]

# %% tags=["remove-input"]
report.record(
    "nlp", transfer_minus_scratch_acc=gain.iloc[0],
    transfer_minus_scratch_acc_largest=gain.iloc[-1],
    transfer_minus_random_acc=(acc_table[pre_col] - acc_table[rnd_col]).iloc[0],
    transfer_acc_smallest=acc_table[pre_col].iloc[0],
    scratch_acc_smallest=acc_table["scratch"].iloc[0],
    smallest_size=int(acc_table.index[0]), largest_size=int(acc_table.index[-1]),
    repeats=repeats, prose_majority_acc=majority)

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
# same architecture. All get the same `multitask_size` labelled snippets and epochs, and
# the comparison is repeated for `repeats` draws of the labelled set and seeds.

# %%
def multitask_model() -> tf.keras.Model:
    enc = encoder()
    inputs = tf.keras.Input(shape=(snippet_chars,), dtype="int32")
    pooled = tf.keras.layers.GlobalAveragePooling1D()(enc(inputs))
    heads = {"source": tf.keras.layers.Dense(n_sources, name="source")(pooled),
             "prose": tf.keras.layers.Dense(2, name="prose")(pooled)}
    return tf.keras.Model(inputs, heads, name="multitask")


def multitask_round(r: int) -> dict:
    """One draw of the labelled set: a shared model against two separate ones."""
    idx = subset(min(multitask_size, len(task.y_train)), task.y_train, seed + 1 + r)
    x_mt = task.x_train[idx]
    targets = {"source": task.y_train[idx], "prose": task.prose_train[idx]}
    tf.keras.utils.set_random_seed(seed + r)
    shared = multitask_model()
    loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    shared.compile(optimizer=tf.keras.optimizers.Adam(1e-3),
                   loss={"source": loss, "prose": loss})
    start = time.perf_counter()
    shared.fit(x_mt, targets, epochs=epochs, batch_size=16, verbose=0)
    row = {"repeat": r, "labelled snippets": len(idx),
           "multi-task seconds": time.perf_counter() - start,
           "multi-task parameters": models.count_params(shared)["total"],
           "single seconds": 0.0, "single parameters": 0}
    logits = shared.predict(task.x_test, verbose=0)
    tests = {"source": task.y_test, "prose": task.prose_test}
    for key, outputs in (("source", n_sources), ("prose", 2)):
        row[f"multi-task {key}"] = float(np.mean(logits[key].argmax(1) == tests[key]))
        tf.keras.utils.set_random_seed(seed + r)
        model = classifier(outputs, f"single_{key}")
        row["single seconds"] += fit_classifier(model, x_mt, targets[key])
        row[f"single {key}"] = float(model.evaluate(task.x_test, tests[key],
                                                    verbose=0)[1])
        row["single parameters"] += models.count_params(model)["total"]
    return row


mt = pd.DataFrame([multitask_round(r) for r in range(repeats)]).set_index("repeat")
mt["difference"] = ((mt["multi-task source"] + mt["multi-task prose"])
                    - (mt["single source"] + mt["single prose"])) / 2
report.table(mt.drop(columns=["multi-task parameters", "single parameters"]), digits=3)

# %% tags=["remove-input"]
report.record(
    "nlp", multitask_minus_single_acc=mt["difference"].mean(),
    multitask_min_difference=mt["difference"].min(),
    multitask_max_difference=mt["difference"].max(),
    multitask_repeats_better=int((mt["difference"] > 0).sum()),
    multitask_source_acc=mt["multi-task source"].mean(),
    single_source_acc=mt["single source"].mean(),
    multitask_prose_acc=mt["multi-task prose"].mean(),
    single_prose_acc=mt["single prose"].mean(),
    multitask_params=mt["multi-task parameters"].iloc[0],
    single_params=mt["single parameters"].iloc[0],
    multitask_size=mt["labelled snippets"].iloc[0],
    one_snippet_points=100 / len(task.y_test))

# %% [markdown]
# (ch06-nlp-multitask)=
# With {glue:text}`nlp_multitask_size` labelled snippets (mean of
# {glue:text}`nlp_repeats` draws), the shared encoder scores
# {glue:text}`nlp_multitask_source_acc:.3f` on *which file* and
# {glue:text}`nlp_multitask_prose_acc:.3f` on *prose or code*; the two separate models
# score {glue:text}`nlp_single_source_acc:.3f` and {glue:text}`nlp_single_prose_acc:.3f`
# (always answering the majority class of *prose or code* would score
# {glue:text}`nlp_prose_majority_acc:.3f`). Averaged over the two tasks, multi-task
# learning changes test accuracy by {glue:text}`nlp_multitask_minus_single_acc:+.3f` on
# average, between {glue:text}`nlp_multitask_min_difference:+.3f` and
# {glue:text}`nlp_multitask_max_difference:+.3f` for single draws (it was better in
# {glue:text}`nlp_multitask_repeats_better` of them; one test snippet is
# {glue:text}`nlp_one_snippet_points:.2f` points), with
# {glue:text}`nlp_multitask_params` parameters instead of {glue:text}`nlp_single_params`.
# What sharing reliably buys is the halved model and training cost; whether it also
# improves accuracy depends on how much the tasks help each other, so the source's
# "improves generalization" is a possibility to measure, not a property of the method.
#
# ## What scaled, what it cost

# %%
scratch_params = int(transfer.loc[transfer["start"] == "scratch",
                                  "trainable parameters"].iloc[0])
head_params = int(transfer.loc[transfer["start"] == pre_col,
                               "trainable parameters"].iloc[0])
summary = pd.DataFrame({
    "method": ["transfer (frozen pre-trained encoder)", "multi-task (shared encoder)"],
    "accuracy gain": [gain.iloc[0], mt["difference"].mean()],
    "labelled snippets": [acc_table.index[0], mt["labelled snippets"].iloc[0]],
    "trainable parameters": [head_params, mt["multi-task parameters"].iloc[0]],
    "... of the alternative": [scratch_params, mt["single parameters"].iloc[0]],
    "extra one-off cost": [f"pre-training: {pretrain_seconds:.0f} s on "
                           f"{len(corpus):,} characters", "none"],
}).set_index("method")
report.table(summary, digits=3)

# %% [markdown]
# Transfer trains only a small head (the encoder's weights are reused, frozen); it moves
# cost from labelling to a one-off pre-training run on unlabelled text, which every later
# task reuses. Multi-task learning saves parameters and training time, and its accuracy
# effect is the measured number above. Both results average a few draws of the labelled
# set scored on a few hundred test snippets: read a difference of a point or two against
# the spread between draws, not as a finding.
#
# ## Summary
#
# * Pre-training on {glue:text}`nlp_corpus_chars` characters brought the next-character
#   loss to {glue:text}`nlp_pretrain_loss:.3f` nats against
#   {glue:text}`nlp_unigram_loss:.3f` for the context-free guess.
# * With {glue:text}`nlp_smallest_size` labelled snippets, a head on the frozen
#   pre-trained encoder scored {glue:text}`nlp_transfer_acc_smallest:.3f`, training from
#   scratch {glue:text}`nlp_scratch_acc_smallest:.3f`
#   ({glue:text}`nlp_transfer_minus_scratch_acc:+.3f`); at
#   {glue:text}`nlp_largest_size` snippets the difference was
#   {glue:text}`nlp_transfer_minus_scratch_acc_largest:+.3f`.
# * Against the same head on a random frozen encoder, pre-training was worth
#   {glue:text}`nlp_transfer_minus_random_acc:+.3f` at the smallest size.
# * Multi-task learning used {glue:text}`nlp_multitask_params` parameters instead of
#   {glue:text}`nlp_single_params` and changed the mean accuracy by
#   {glue:text}`nlp_multitask_minus_single_acc:+.3f`.
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
# 4. Raise `multitask_size` to 512. Does sharing the encoder help either task once the
#    separate models have more labels?
