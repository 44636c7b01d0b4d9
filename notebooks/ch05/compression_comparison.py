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
# (ch05-compression-comparison)=
# # Quantization, clustering, low rank, distillation: every technique side by side
#
# The source names the compression methods (§1.5: pruning, quantization, parameter sharing,
# low-rank factorization) but measures none of them. This section applies each one to the
# model of {ref}`ch05-compression`, a {glue:text}`cmp_params_keras:,`-parameter MLP on the
# bundled digits, and measures what a deployment cares about: file size after gzip,
# accuracy of the *deployed* TFLite model on the test set, and single-example latency in
# the TFLite interpreter.
#
# * **Quantization** stores weights (and, for full-integer models, activations) in 8 bits
#   instead of 32 {cite:p}`jacob2018quantization`: post-training (dynamic-range, float16,
#   full int8) and quantization-aware training.
# * **Weight clustering** (parameter sharing) replaces each kernel's weights by one of a few
#   shared values {cite:p}`han2016deep`.
# * **Low-rank factorization** replaces a kernel by the product of two thin matrices.
# * **Knowledge distillation** trains a small student on the soft outputs of the large
#   teacher {cite:p}`hinton2015distilling`.
# * The **combined pipeline** prunes, clusters and quantizes, as in Deep Compression
#   {cite:p}`han2016deep`.

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
seed = 0                      # every random draw follows from it
epochs = 30                   # training epochs of the float baseline and the students
finetune_epochs = 10          # fine-tuning epochs (pruning, QAT, clustering, low rank)
final_sparsity = 0.9          # the pruning target of the combined pipeline
num_clusters = 16             # shared values per kernel for weight clustering
lowrank_ranks = [4, 8, 16, 32, 64]  # ranks of the truncated SVD of the hidden kernels
student_width = 32            # hidden units of the distilled student
distill_temperature = 4.0     # softmax temperature T of the soft targets
distill_alpha = 0.1           # weight of the hard-label loss (1 - alpha: soft)
distill_sweep = [1.0, 2.0, 8.0]  # further temperatures tried for comparison
distill_repeats = 3           # seeds of the student comparison
representative_samples = 200  # calibration inputs for full-integer quantization
latency_runs = 1000           # timed invoke() calls per measurement
latency_rounds = 3            # interleaved rounds over all variants (median taken)
batch_size = 32               # examples per training step

# %% [markdown]
# ## Set-up and the float baseline
#
# Same data, same model and same training as in {ref}`ch05-compression`.

# %%
import math
import warnings

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
import seaborn as sns
import tensorflow_model_optimization as tfmot

from scalekit import compare, compress, data, env, models, plots, report, tflite

tf = env.setup(seed=seed)
plots.set_theme()
warnings.filterwarnings("ignore", message=".*HDF5 file.*")
split = data.load("digits", seed=seed)
steps_per_epoch = math.ceil(len(split.x_train) / batch_size)
loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

tf.keras.utils.set_random_seed(seed)
baseline = models.mlp(split.num_features, split.num_classes, width=256, depth=2,
                      name="baseline")
baseline.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=loss,
                 metrics=["accuracy"])
baseline.fit(split.x_train, split.y_train, epochs=epochs, batch_size=batch_size,
             verbose=0)
keras_accuracy = baseline.evaluate(split.x_test, split.y_test, verbose=0)[1]
baseline_gzip = compress.gzip_size(baseline)  # the gzipped HDF5 file, as TFMOT measures
calibration = split.x_train[:representative_samples]

# Every variant goes into this registry: its Keras model and its TFLite file.
variants: dict[str, dict] = {}


def add_variant(name: str, keras_model, tflite_model: bytes, family: str,
                tag: str) -> dict:
    weights = keras_model.get_weights()
    row = {"variant": name, "tag": tag, "family": family,
           "params": keras_model.count_params(),
           "nonzero params": int(sum(np.count_nonzero(w) for w in weights)),
           "tflite_model": tflite_model}
    variants[name] = row
    return row


# %% [markdown]
# `compress.trained_copy(baseline)` gives each technique below its own copy of the trained
# weights, so every variant starts from the same model. The baseline's gzipped HDF5 file,
# the reference for every size ratio on this page, takes
# {glue:text}`cmp_baseline_gzip_kib:.1f` KiB; {ref}`ch05-compression` measured
# {glue:text}`compression.ipynb::prune_baseline_gzip_kib:.1f` KiB for the
# same recipe at its own parameters.

# %% tags=["remove-input"]
report.record("cmp", keras_accuracy=keras_accuracy,
              params_keras=baseline.count_params(),
              baseline_gzip_kib=baseline_gzip / 1024, n_test=len(split.y_test),
              n_train=len(split.y_train))

# %% [markdown]
# (ch05-compression-ptq)=
# ## Post-training quantization
#
# The TFLite converter quantizes a trained model without retraining. Three settings:
#
# * **dynamic range**: `optimizations = [tf.lite.Optimize.DEFAULT]` stores weights as int8;
#   activations stay float and are quantized on the fly;
# * **float16**: weights stored as float16 (half the size, no integer arithmetic);
# * **full integer (int8)**: weights *and* activations in int8, including the model's input
#   and output. The converter needs a *representative dataset* to calibrate the activation
#   ranges; a few hundred training inputs suffice.
#
# `scalekit.tflite.convert` is these converter calls, written once; every TFLite model
# in this book is made by it:
#
# ```{literalinclude} ../../scalekit/tflite.py
# :pyobject: convert
# ```

# %%
for mode, name, tag in [("float32", "float32 (baseline)", "fp32"),
                        ("dynamic", "dynamic-range int8", "dyn"),
                        ("float16", "float16", "fp16"), ("int8", "full int8", "int8")]:
    add_variant(name, baseline, tflite.convert(baseline, mode,
                                               representative_data=calibration),
                "quantization", tag)
ptq = pd.DataFrame([
    {"variant": name, "stored weights": tflite.weight_count(row["tflite_model"]),
     "TFLite bytes": len(row["tflite_model"]),
     "gzip bytes": compress.gzip_size(row["tflite_model"]),
     "accuracy": tflite.accuracy(row["tflite_model"], split.x_test, split.y_test)}
    for name, row in variants.items()]).set_index("variant")
report.table(ptq, digits={"accuracy": 3})

# %% [markdown]
# `tflite.accuracy` runs a TFLite model on the test set with the interpreter, quantizing the
# input and dequantizing the output of integer models with their own scale and zero point.
# The float32 TFLite model computes the same function as Keras: we compare their logits
# with `scalekit.compare`.

# %%
fp32_model = variants["float32 (baseline)"]["tflite_model"]
fp32_logits = tflite.predict(fp32_model, split.x_test)
keras_logits = baseline.predict(split.x_test, verbose=0)
float32_rel_diff = compare.max_rel_diff(fp32_logits, keras_logits)

# %% tags=["remove-input"]
report.record(
    "cmp", float32_logits_rel_diff=float32_rel_diff,
    float32_accuracy=ptq.loc["float32 (baseline)", "accuracy"],
    int8_accuracy=ptq.loc["full int8", "accuracy"],
    dynamic_accuracy=ptq.loc["dynamic-range int8", "accuracy"],
    float16_accuracy=ptq.loc["float16", "accuracy"],
    int8_size_ratio=ptq.loc["float32 (baseline)", "TFLite bytes"]
    / ptq.loc["full int8", "TFLite bytes"],
    params_int8=ptq.loc["full int8", "stored weights"],
    params_kept_by_quantization=bool((ptq["stored weights"]
                                      == baseline.count_params()).all()))

# %% [markdown]
# The float32 TFLite logits differ from Keras's by at most
# {glue:text}`cmp_float32_logits_rel_diff:.1e` of their largest magnitude, and the model
# scores {glue:text}`cmp_float32_accuracy:.3f` (Keras: {glue:text}`cmp_keras_accuracy:.3f`).
# The full-integer model keeps {glue:text}`cmp_int8_accuracy:.3f` with a file
# {glue:text}`cmp_int8_size_ratio:.1f`× smaller; dynamic range and float16 score
# {glue:text}`cmp_dynamic_accuracy:.3f` and {glue:text}`cmp_float16_accuracy:.3f`. Eight
# bits are plenty for this model.
#
# (ch05-compression-ptq-params)=
# Quantization does not reduce the number of parameters: the int8 flatbuffer stores
# {glue:text}`cmp_params_int8` weights (`tflite.weight_count` counts the entries of the
# constant tensors its operations read), exactly the Keras model's
# {glue:text}`cmp_params_keras:,`. What shrinks is the storage per weight, 8 bits instead
# of 32, so the file and the memory traffic shrink; the count stays.
#
# (ch05-compression-qat)=
# ## Quantization-aware training
#
# `tfmot.quantization.keras.quantize_model` inserts fake-quantization ops that round weights
# and activations to int8 in the forward pass while gradients flow in float, so fine-tuning
# learns weights that survive the rounding {cite:p}`jacob2018quantization`. The converter
# then uses the learned ranges; no representative dataset is needed (`"dynamic"` mode).

# %%
tf.keras.utils.set_random_seed(seed)
qat = tfmot.quantization.keras.quantize_model(compress.trained_copy(baseline))
qat.compile(optimizer=tf.keras.optimizers.Adam(1e-4), loss=loss, metrics=["accuracy"])
qat.fit(split.x_train, split.y_train, epochs=finetune_epochs, batch_size=batch_size,
        verbose=0)
qat_tflite = tflite.convert(qat, "dynamic")
add_variant("QAT int8", baseline, qat_tflite, "quantization", "QAT")

# %% tags=["remove-input"]
report.record("cmp",
              qat_accuracy=tflite.accuracy(qat_tflite, split.x_test, split.y_test))

# %% [markdown]
# Quantization-aware training reaches {glue:text}`cmp_qat_accuracy:.3f`. On a model where
# post-training quantization already loses almost nothing, QAT has little to recover; it
# earns its cost on models whose activations have awkward ranges (and, as a bonus, its
# converted model needs no calibration data).
#
# (ch05-compression-clustering)=
# ## Weight clustering
#
# `cluster_weights` replaces every kernel's weights by the nearest of `num_clusters`
# centroids (initialized by k-means++) and fine-tunes the centroids. After
# `strip_clustering` each kernel has at most `num_clusters` distinct values, which gzip
# stores cheaply (a TFLite runtime could store 4-bit indices).

# %%
cluster = tfmot.clustering.keras
tf.keras.utils.set_random_seed(seed)
clustering = cluster.cluster_weights(
    compress.trained_copy(baseline), number_of_clusters=num_clusters,
    cluster_centroids_init=cluster.CentroidInitialization.KMEANS_PLUS_PLUS)
clustering.compile(optimizer=tf.keras.optimizers.Adam(1e-4), loss=loss,
                   metrics=["accuracy"])
clustering.fit(split.x_train, split.y_train, epochs=finetune_epochs,
               batch_size=batch_size, verbose=0)
clustered = cluster.strip_clustering(clustering)

unique_values = pd.DataFrame([{"kernel": w.name, "shape": str(tuple(w.shape)),
                               "distinct values": len(np.unique(w.numpy()))}
                              for w in compress.kernel_weights(clustered)])
clustered_tflite = tflite.convert(clustered, "float32")
add_variant(f"clustered ({num_clusters})", clustered, clustered_tflite, "clustering",
            "C")
report.table(unique_values, index=False)

# %% tags=["remove-input"]
report.record(
    "cmp", clustered_unique_values_max=unique_values["distinct values"].max(),
    clustered_accuracy=tflite.accuracy(clustered_tflite, split.x_test, split.y_test),
    gzip_ratio_clustered=baseline_gzip / compress.gzip_size(clustered))

# %% [markdown]
# No kernel has more than {glue:text}`cmp_clustered_unique_values_max` distinct values. The
# gzipped HDF5 file is {glue:text}`cmp_gzip_ratio_clustered:.1f`× smaller than the
# baseline's, at accuracy {glue:text}`cmp_clustered_accuracy:.3f`.
#
# (ch05-compression-lowrank)=
# ## Low-rank factorization
#
# A kernel $W$ (inputs × outputs) is approximated by its truncated singular value
# decomposition $W \approx (U_r \Sigma_r)\,V_r^\top$, which is two `Dense` layers: one of
# width $r$ without bias or activation, then the original layer's outputs, bias and
# activation. It saves parameters when $r(\text{in}+\text{out}) < \text{in}\cdot\text{out}$.
# We factor both hidden layers (the small output layer stays), evaluate the factored model
# as is, then after fine-tuning.

# %%
def factorize(model, rank: int):
    """The model with each hidden Dense kernel replaced by its rank-`rank` factors."""
    dense_layers = [layer for layer in model.layers
                    if isinstance(layer, tf.keras.layers.Dense)]
    new_layers, new_weights = [tf.keras.Input(shape=model.input_shape[1:])], []
    for layer in dense_layers:
        kernel, bias = layer.get_weights()
        n_in, n_out = kernel.shape
        if layer is not dense_layers[-1] and rank * (n_in + n_out) < n_in * n_out:
            u, s, vt = np.linalg.svd(kernel, full_matrices=False)
            new_layers += [tf.keras.layers.Dense(rank, use_bias=False),
                           tf.keras.layers.Dense(n_out, activation=layer.activation)]
            new_weights += [u[:, :rank] * s[:rank], vt[:rank], bias]
        else:
            new_layers.append(tf.keras.layers.Dense(n_out, activation=layer.activation))
            new_weights += [kernel, bias]
    factored = tf.keras.Sequential(new_layers, name=f"lowrank_{rank}")
    factored.set_weights(new_weights)
    return factored


lowrank_rows, lowrank_models = [], {}
for rank in sorted(lowrank_ranks):
    tf.keras.utils.set_random_seed(seed)
    factored = factorize(baseline, rank)
    factored.compile(optimizer=tf.keras.optimizers.Adam(1e-4), loss=loss,
                     metrics=["accuracy"])
    svd_only = factored.evaluate(split.x_test, split.y_test, verbose=0)[1]
    factored.fit(split.x_train, split.y_train, epochs=finetune_epochs,
                 batch_size=batch_size, verbose=0)
    lowrank_models[rank] = factored
    lowrank_rows.append({
        "rank": rank, "params": factored.count_params(),
        "params ratio": factored.count_params() / baseline.count_params(),
        "accuracy (SVD only)": svd_only,
        "accuracy (fine-tuned)": factored.evaluate(split.x_test, split.y_test,
                                                   verbose=0)[1]})
lowrank = pd.DataFrame(lowrank_rows)
report.table(lowrank, index=False, digits=3)

# %%
good = lowrank[lowrank["accuracy (fine-tuned)"] >= keras_accuracy - 0.01]
chosen = good.iloc[0] if len(good) else lowrank.iloc[-1]  # smallest rank within 1 point
lowrank_rank = int(chosen["rank"])
add_variant(f"low rank (r={lowrank_rank})", lowrank_models[lowrank_rank],
            tflite.convert(lowrank_models[lowrank_rank], "float32"), "low rank", "LR")

# %% tags=["remove-input"]
report.record("cmp", lowrank_rank=lowrank_rank,
              lowrank_params_ratio=chosen["params ratio"],
              lowrank_accuracy=chosen["accuracy (fine-tuned)"],
              lowrank_svd_only_accuracy=chosen["accuracy (SVD only)"],
              lowrank_within_1pt=len(good) > 0)

# %% tags=["remove-cell"]
fig, ax = plots.subplots()
long = lowrank.melt(id_vars=["rank", "params"],
                    value_vars=["accuracy (SVD only)", "accuracy (fine-tuned)"],
                    var_name="model", value_name="accuracy")
sns.lineplot(data=long, x="params", y="accuracy", hue="model", marker="o", ax=ax)
ax.axhline(keras_accuracy, color="grey", lw=0.8, ls=":", label="float baseline")
ax.set(xscale="log", title="Low-rank factorization: parameters versus accuracy",
       xlabel="parameters of the factored model", ylabel="test accuracy")
ax.legend()
report.figure("cmp_lowrank_fig", fig)

# %% [markdown]
# ```{glue:figure} cmp_lowrank_fig
# :alt: Test accuracy against the parameter count of the low-rank factored model, straight after the SVD and after fine-tuning, with the float baseline's accuracy as a dotted line.
# :name: fig-cmp-lowrank
#
# Low-rank factorization of the two hidden kernels: test accuracy straight after the
# truncated SVD and after fine-tuning, against the factored model's parameter count.
# ```
#
# Rank {glue:text}`cmp_lowrank_rank` is the smallest rank in the sweep that stays within
# one point of the baseline after fine-tuning, if any does (here:
# {glue:text}`cmp_lowrank_within_1pt`); it reaches accuracy
# {glue:text}`cmp_lowrank_accuracy:.3f` (straight after the SVD
# {glue:text}`cmp_lowrank_svd_only_accuracy:.3f`) with
# {glue:text}`cmp_lowrank_params_ratio:.1%` of the baseline's parameters. Unlike pruning,
# this saving is in the *shapes*: fewer multiply-adds, on any hardware.
#
# (ch05-compression-distillation)=
# ## Knowledge distillation
#
# A student with one hidden layer of `student_width` units is trained twice from the same
# initialization: once on the labels alone, once on a mix of the labels and the teacher's
# softened outputs. With temperature $T$, the loss is
# $\alpha\,\mathrm{CE}(y, \sigma(z_s)) + (1-\alpha)\,T^2\,
# \mathrm{KL}(\sigma(z_t/T)\,\|\,\sigma(z_s/T))$
# {cite:p}`hinton2015distilling`; the factor $T^2$ keeps the soft term's gradients on the
# scale of the hard one. The teacher's soft targets are computed once and passed to `fit`
# next to the one-hot labels. The comparison is repeated for `distill_repeats` seeds
# (each seed fixes the student's initialization and the order of the batches).

# %%
teacher_logits = baseline.predict(split.x_train, verbose=0)
one_hot = np.eye(split.num_classes)[split.y_train]


def distillation_loss(T: float, alpha: float):
    def loss_fn(targets, student_logits):
        hard, soft = targets[:, :split.num_classes], targets[:, split.num_classes:]
        ce = tf.keras.losses.categorical_crossentropy(hard, student_logits,
                                                      from_logits=True)
        kl = tf.keras.losses.kl_divergence(soft, tf.nn.softmax(student_logits / T))
        return alpha * ce + (1 - alpha) * T**2 * kl
    return loss_fn


def train_student(run_seed: int, T: float | None = None):
    """A student trained on the labels (T=None) or distilled at temperature T."""
    tf.keras.utils.set_random_seed(run_seed)  # same initialization for every student
    student = models.mlp(split.num_features, split.num_classes, width=student_width,
                         name="student")
    if T is None:
        student.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=loss)
        targets = split.y_train
    else:
        student.compile(optimizer=tf.keras.optimizers.Adam(1e-3),
                        loss=distillation_loss(T, distill_alpha))
        soft = tf.nn.softmax(teacher_logits / T).numpy()
        targets = np.concatenate([one_hot, soft], axis=1)
    student.fit(split.x_train, targets, epochs=epochs, batch_size=batch_size, verbose=0)
    predicted = np.argmax(student.predict(split.x_test, verbose=0), axis=1)
    return student, float(np.mean(predicted == split.y_test))


temperatures = [distill_temperature] + [t for t in distill_sweep
                                        if t != distill_temperature]
chosen_column = f"distilled, T={distill_temperature:g}"
rows = []
for r in range(distill_repeats):
    row = {"seed": seed + r, "student alone": train_student(seed + r)[1]}
    for T in temperatures:
        student, row[f"distilled, T={T:g}"] = train_student(seed + r, T)
        if T == distill_temperature and r == 0:
            distilled = student
    rows.append(row)
students = pd.DataFrame(rows).set_index("seed")
gains = students[chosen_column] - students["student alone"]
mean_gains = students.drop(columns="student alone").sub(students["student alone"],
                                                        axis=0).mean()
shown = students.copy()
shown.loc["mean"] = students.mean()
report.table(shown, digits=3)

# %% tags=["remove-input"]
report.record(
    "cmp", student_params=distilled.count_params(),
    student_params_ratio=distilled.count_params() / baseline.count_params(),
    student_accuracy=students["student alone"].mean(),
    distilled_accuracy=students[chosen_column].mean(),
    distilled_minus_student_accuracy=gains.mean(),
    distill_min_gain=gains.min(), distill_max_gain=gains.max(),
    distill_seeds_better=int((gains > 0).sum()),
    distill_seeds_worse=int((gains < 0).sum()),
    distill_repeats=distill_repeats, distill_best_mean_gain=mean_gains.max(),
    distill_temperature=distill_temperature, test_image_points=100 / len(split.y_test))

# %%
add_variant(f"distilled student (w={student_width})", distilled,
            tflite.convert(distilled, "float32"), "distillation", "S")
add_variant(f"distilled student (w={student_width}) + int8", distilled,
            tflite.convert(distilled, "int8", representative_data=calibration),
            "combined", "S+int8")

# %% [markdown]
# The student has {glue:text}`cmp_student_params` parameters
# ({glue:text}`cmp_student_params_ratio:.1%` of the teacher's). Over
# {glue:text}`cmp_distill_repeats` seeds it scores {glue:text}`cmp_student_accuracy:.3f` on
# average trained on the labels alone and {glue:text}`cmp_distilled_accuracy:.3f`
# distilled at $T=$ {glue:text}`cmp_distill_temperature:g`: a mean difference of
# {glue:text}`cmp_distilled_minus_student_accuracy:+.3f`, between
# {glue:text}`cmp_distill_min_gain:+.3f` and {glue:text}`cmp_distill_max_gain:+.3f` for
# single seeds. Distillation scored higher in {glue:text}`cmp_distill_seeds_better` of
# the seeds and lower in {glue:text}`cmp_distill_seeds_worse`. Across all temperatures in
# the table the best mean difference is {glue:text}`cmp_distill_best_mean_gain:+.3f`
# (picked on the test set, so it flatters). One test image is
# {glue:text}`cmp_test_image_points:.2f` points.
#
# What the seeds show is the measurement to keep: on this task the distilled student did
# not beat the student trained on labels alone, and the seed-by-seed differences above
# say how consistently. A plausible reading: the digits
# labels are clean, the teacher is almost always certain, and a student this small has
# little capacity to spare for imitating the teacher's full output distribution. The
# gains reported by {cite:t}`hinton2015distilling` come from larger students and harder
# tasks; exercise 3 explores when the teacher's soft targets start to pay.
#
# (ch05-compression-pipeline)=
# ## The combined pipeline, and the TFMOT guide's recipe
#
# First, the recipe of the TFMOT pruning guide, transplanted unchanged to our data: prune
# from 50% to 80% over two epochs at batch size 128 (with 10% of the data held out for
# validation and the default `frequency=100`), strip, and convert with dynamic-range
# quantization.

# %%
tf.keras.utils.set_random_seed(seed)
guide_end_step = math.ceil(0.9 * len(split.x_train) / 128) * 2
guide = tfmot.sparsity.keras.prune_low_magnitude(
    compress.trained_copy(baseline),
    pruning_schedule=tfmot.sparsity.keras.PolynomialDecay(
        initial_sparsity=0.50, final_sparsity=0.80, begin_step=0,
        end_step=guide_end_step))
guide.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
guide.fit(split.x_train, split.y_train, batch_size=128, epochs=2, validation_split=0.1,
          verbose=0, callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
guide_pruned = tfmot.sparsity.keras.strip_pruning(guide)
add_variant("TFMOT guide recipe (pruned + dynamic)", guide_pruned,
            tflite.convert(guide_pruned, "dynamic"), "combined", "guide")

# %% tags=["remove-input"]
report.record("cmp", guide_end_step=guide_end_step,
              guide_sparsity=compress.kernel_sparsity(guide_pruned))

# %% [markdown]
# On {glue:text}`cmp_n_train` training images two epochs are only
# {glue:text}`cmp_guide_end_step` steps, fewer than the default `frequency` of 100. The
# wrappers count training steps from 1 and update the mask only at
# `begin_step + k·frequency`, so no update ever happens, not even to the initial 50%: the
# exported kernels are {glue:text}`cmp_guide_sparsity:.1%` zero instead of 80%. The
# guide's recipe relies on MNIST's 60,000 images; this is the pitfall of
# {ref}`ch05-compression-frequency` again.
#
# Our pipeline: prune gradually to `final_sparsity` with a `frequency` that fits the data
# (the recipe of {ref}`ch05-compression`), then (a) quantize to full int8, and (b) cluster
# the remaining weights with *sparsity-preserving* clustering first, so the zeros stay
# zeros, then quantize.

# %%
# sparsity-preserving clustering is (in TFMOT 0.8) only reachable by its internal path
from tensorflow_model_optimization.python.core.clustering.keras.experimental import (
    cluster as sparsity_preserving,
)

frequency, end_step = compress.pruning_steps(steps_per_epoch, finetune_epochs)
tf.keras.utils.set_random_seed(seed)
pruning = tfmot.sparsity.keras.prune_low_magnitude(
    compress.trained_copy(baseline),
    pruning_schedule=tfmot.sparsity.keras.PolynomialDecay(
        initial_sparsity=0.0, final_sparsity=final_sparsity, begin_step=0,
        end_step=end_step, frequency=frequency))
pruning.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=loss,
                metrics=["accuracy"])
pruning.fit(split.x_train, split.y_train, epochs=finetune_epochs, batch_size=batch_size,
            verbose=0, callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
pruned = tfmot.sparsity.keras.strip_pruning(pruning)
pruned_sparsity = compress.kernel_sparsity(pruned)  # before clustering wraps it
pruned_name = f"pruned {final_sparsity:.0%}"
add_variant(pruned_name, pruned, tflite.convert(pruned, "float32"), "pruning", "P")
add_variant(f"{pruned_name} + int8", pruned,
            tflite.convert(pruned, "int8", representative_data=calibration),
            "combined", "P+int8")

tf.keras.utils.set_random_seed(seed)
sparse_clustering = sparsity_preserving.cluster_weights(
    pruned, number_of_clusters=num_clusters, preserve_sparsity=True,
    cluster_centroids_init=cluster.CentroidInitialization.KMEANS_PLUS_PLUS)
sparse_clustering.compile(optimizer=tf.keras.optimizers.Adam(1e-4), loss=loss,
                          metrics=["accuracy"])
sparse_clustering.fit(split.x_train, split.y_train, epochs=max(1, finetune_epochs // 2),
                      batch_size=batch_size, verbose=0)
pruned_clustered = cluster.strip_clustering(sparse_clustering)
pipeline_name = f"{pruned_name} + clustered + int8"
add_variant(pipeline_name, pruned_clustered,
            tflite.convert(pruned_clustered, "int8", representative_data=calibration),
            "combined", "P+C+int8")

# %% tags=["remove-input"]
report.record("cmp", pipeline_pruned_sparsity=pruned_sparsity,
              pipeline_clustered_sparsity=compress.kernel_sparsity(pruned_clustered))

# %% [markdown]
# The pruned kernels are {glue:text}`cmp_pipeline_pruned_sparsity:.1%` zero, and still
# {glue:text}`cmp_pipeline_clustered_sparsity:.1%` after sparsity-preserving clustering.
#
# ## Every variant in one table
#
# For each variant: parameters and non-zero parameters of its Keras model, the TFLite file
# and its gzipped size, accuracy of the TFLite model on the test set, and the median time
# of one single-example `invoke()` with one interpreter thread after warm-up. The latency
# measurements are interleaved: `latency_rounds` rounds each time every model in turn, and
# the median of the rounds is kept, so a burst of load on the machine hits all variants
# alike. Size ratios compare with the gzipped *Keras* baseline file (the TFMOT guide's
# convention); latency ratios with the float32 TFLite model.

# %%
for row in variants.values():
    row["TFLite bytes"] = len(row["tflite_model"])
    row["gzip bytes"] = compress.gzip_size(row["tflite_model"])
    row["accuracy"] = tflite.accuracy(row["tflite_model"], split.x_test, split.y_test)

example = split.x_test[:1]
warmup = max(10, latency_runs // 10)
rounds = {name: [] for name in variants}
for _ in range(latency_rounds):
    for name, row in variants.items():
        rounds[name].append(tflite.latency(row["tflite_model"], example,
                                           runs=latency_runs, warmup=warmup))
for name, row in variants.items():
    row["latency µs"] = 1e6 * float(np.median(rounds[name]))
# the interpreter's fixed cost: the same measurement on a single Dense(1) layer
one_unit = tf.keras.Sequential([tf.keras.Input(shape=(split.num_features,)),
                                tf.keras.layers.Dense(1)])
latency_floor = tflite.latency(tflite.convert(one_unit), example, runs=latency_runs,
                               warmup=warmup)

table = pd.DataFrame([{k: v for k, v in row.items() if k != "tflite_model"}
                      for row in variants.values()]).set_index("variant")
base = table.loc["float32 (baseline)"]
table["size ratio"] = baseline_gzip / table["gzip bytes"]
table["latency ratio"] = base["latency µs"] / table["latency µs"]
table["accuracy − baseline"] = table["accuracy"] - base["accuracy"]
report.table(table.drop(columns=["family", "TFLite bytes"]),
             digits={"accuracy": 3, "accuracy − baseline": 2, "size ratio": 3,
                     "latency ratio": 3, "latency µs": 3})

# %% tags=["remove-input"]
int8_row = table.loc["full int8"]
pruned_int8_row = table.loc[f"{pruned_name} + int8"]
pipeline_row = table.loc[pipeline_name]
guide_row = table.loc["TFMOT guide recipe (pruned + dynamic)"]
# single techniques that compress the baseline itself (the student is a new model)
single = ["quantization", "pruning", "clustering", "low rank"]
alone = table[table["family"].isin(single)].drop(index="float32 (baseline)")
student_row = table.loc[f"distilled student (w={student_width})"]
eligible = table[table["accuracy"] >= base["accuracy"] - 0.01]
best = eligible["gzip bytes"].idxmin()

# %% tags=["remove-input"]
report.record(
    "cmp",
    gzip_ratio_pruned_int8=pruned_int8_row["size ratio"],
    pruned_int8_accuracy=pruned_int8_row["accuracy"],
    pruned_int8_accuracy_drop=base["accuracy"] - pruned_int8_row["accuracy"],
    gzip_ratio_guide=guide_row["size ratio"], guide_accuracy=guide_row["accuracy"],
    gzip_ratio_pipeline=pipeline_row["size ratio"],
    pipeline_accuracy=pipeline_row["accuracy"],
    pipeline_size_advantage=alone["gzip bytes"].min() / pipeline_row["gzip bytes"],
    pipeline_beats_each_alone=bool(
        pipeline_row["gzip bytes"] < alone["gzip bytes"].min()),
    best_single_size_ratio=alone["size ratio"].max(),
    student_size_ratio=student_row["size ratio"],
    student_tflite_accuracy=student_row["accuracy"],
    latency_float32_us=base["latency µs"], latency_int8_us=int8_row["latency µs"],
    latency_ratio_int8=int8_row["latency ratio"],
    int8_faster=bool(int8_row["latency µs"] < base["latency µs"]),
    latency_floor_us=1e6 * latency_floor,
    latency_ratio_pruned_int8=pruned_int8_row["latency ratio"],
    best_size_ratio=table.loc[best, "size ratio"],
    best_accuracy=table.loc[best, "accuracy"])

# %% [markdown]
# (ch05-compression-pareto)=
# ## Size, speed and accuracy: the Pareto view
#
# A variant is *Pareto-optimal* when no other one is both smaller (or faster) and at least
# as accurate. The dashed line connects those points, for size (top) and for latency
# (bottom); the dotted line is one point below the float baseline. Each technique family
# keeps its colour and marker in both panels; the Pareto-optimal points are labelled with
# the `tag` column of the table.

# %% tags=["remove-cell"]
def pareto_front(frame: pd.DataFrame, cost: str, value: str) -> pd.DataFrame:
    ordered = frame.sort_values([cost, value], ascending=[True, False])
    return ordered[ordered[value] > ordered[value].cummax().shift(fill_value=-np.inf)]


plot_data = table.reset_index()
plot_data["gzip KiB"] = plot_data["gzip bytes"] / 1024
families = list(dict.fromkeys(plot_data["family"]))
colours = dict(zip(families, sns.color_palette(plots.PALETTE, len(families)),
                   strict=True))
markers = dict(zip(families, ["o", "s", "D", "^", "v", "P", "X"], strict=False))
fig, axes = plots.subplots(1, 2, height=7.0, sharey=True)
low, high = plot_data["accuracy"].min(), plot_data["accuracy"].max()
axes[0].set_ylim(low - 0.05 * (high - low), high + 0.25 * (high - low))  # room for tags
for ax, cost in zip(axes, ["gzip KiB", "latency µs"], strict=True):
    for family in families:
        part = plot_data[plot_data["family"] == family]
        ax.scatter(part[cost], part["accuracy"], color=colours[family],
                   marker=markers[family], s=55, label=family, zorder=3)
    front = pareto_front(plot_data, cost, "accuracy")
    ax.plot(front[cost], front["accuracy"], color="grey", lw=1, ls="--", zorder=1)
    ax.axhline(base["accuracy"] - 0.01, color="grey", lw=0.8, ls=":")
    ax.set(xscale="log", xlabel=f"{cost} (log scale)", ylabel="test accuracy (TFLite)")
    ax.xaxis.set_major_locator(mticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(mticker.NullFormatter())
    fig.canvas.draw()  # final layout, so that data → pixel transforms hold
    placed: list[tuple[float, float]] = []  # label positions (pixels): no two overlap
    for _, r in front.iterrows():
        x, y = ax.transData.transform((r[cost], r["accuracy"]))
        dy = 8.0
        while any(abs(x - px) < 80 and abs(y + dy - py) < 16 for px, py in placed):
            dy += 16.0
        placed.append((x, y + dy))
        ax.annotate(r["tag"], (r[cost], r["accuracy"]),
                    xytext=(4, dy * 72 / fig.dpi), textcoords="offset points",
                    arrowprops={"arrowstyle": "-", "color": "grey", "lw": 0.6})
axes[0].set_title("Accuracy versus compressed size")
axes[1].set_title("Accuracy versus single-example latency")
axes[0].legend(loc="lower right", ncols=2)
report.figure("cmp_pareto_fig", fig)

# %% [markdown]
# ```{glue:figure} cmp_pareto_fig
# :alt: Two scatter plots of TFLite test accuracy, against gzipped size in KiB (top) and single-example latency in microseconds (bottom), one colour and marker per technique family, with the Pareto front dashed and labelled by variant tag.
# :name: fig-cmp-pareto
#
# Every variant's test accuracy against its compressed size (top) and its latency
# (bottom), both on log scales. Colours and markers mark the technique family; the dashed
# line joins the Pareto-optimal variants, labelled with their tags from the table.
# ```
#
# ## What the measurements say
#
# * **Pruning + int8.** Pruned to {glue:text}`cmp_pipeline_pruned_sparsity:.1%` and
#   quantized to full int8, the model is {glue:text}`cmp_gzip_ratio_pruned_int8:.1f`×
#   smaller than the gzipped Keras baseline, at accuracy
#   {glue:text}`cmp_pruned_int8_accuracy:.3f` (a drop of
#   {glue:text}`cmp_pruned_int8_accuracy_drop:.3f`). The TFMOT guide's recipe, run on the
#   same data, reaches {glue:text}`cmp_gzip_ratio_guide:.1f`× (accuracy
#   {glue:text}`cmp_guide_accuracy:.3f`), held back by the frequency pitfall. Adding
#   sparsity-preserving clustering gives {glue:text}`cmp_gzip_ratio_pipeline:.1f`× at
#   {glue:text}`cmp_pipeline_accuracy:.3f`.
# * **Combined versus alone.** Is the pruned + clustered + int8 file smaller than that of
#   every single technique applied to the baseline (pruning, clustering, low rank, each
#   quantization)? {glue:text}`cmp_pipeline_beats_each_alone`: the smallest of those files
#   is {glue:text}`cmp_pipeline_size_advantage:.2f`× the pipeline's (the best single
#   technique reaches {glue:text}`cmp_best_single_size_ratio:.1f`×). The distilled student
#   is not in that comparison: it replaces the model by a new, much smaller one rather than
#   compressing it, and its file is {glue:text}`cmp_student_size_ratio:.1f`× smaller than
#   the baseline's at accuracy {glue:text}`cmp_student_tflite_accuracy:.3f`.
# * **Smallest within one point.** Of all variants within one point of the float
#   baseline, the smallest is {glue:text}`cmp_best_size_ratio:.1f`× smaller than the
#   baseline (accuracy {glue:text}`cmp_best_accuracy:.3f`); the table names it.
# * **Latency.** The full-int8 model runs one example in
#   {glue:text}`cmp_latency_int8_us:.2f` µs against {glue:text}`cmp_latency_float32_us:.2f`
#   µs for float32, a ratio of {glue:text}`cmp_latency_ratio_int8:.2f`× (is int8 faster
#   here? {glue:text}`cmp_int8_faster`). For a single example this model is little work
#   (one multiply-add per weight), and part of every call is the interpreter's fixed cost:
#   a model with a single `Dense(1)` layer, timed the same way, takes
#   {glue:text}`cmp_latency_floor_us:.2f` µs. The float32 model already runs through
#   TFLite's optimized XNNPACK kernels, so int8 gains less than its 4× smaller weights
#   might suggest. Pruning adds no speed of its own: pruned + int8 runs at
#   {glue:text}`cmp_latency_ratio_pruned_int8:.2f`× the float32 speed, int8 alone at
#   {glue:text}`cmp_latency_ratio_int8:.2f`×, because the kernels keep their shapes and
#   TFLite multiplies the zeros. Low rank and the small student save real multiply-adds.
#   Latencies on a shared machine move from run to run; the ratios measured in the same
#   run are what to compare.
#
# ## Summary
#
# * Quantization keeps the parameter count ({glue:text}`cmp_params_int8` stored weights
#   in the int8 file) and shrinks the file {glue:text}`cmp_int8_size_ratio:.1f`× at
#   accuracy {glue:text}`cmp_int8_accuracy:.3f` (float32:
#   {glue:text}`cmp_float32_accuracy:.3f`).
# * Clustering left at most {glue:text}`cmp_clustered_unique_values_max` distinct values
#   per kernel ({glue:text}`cmp_gzip_ratio_clustered:.1f`× smaller after gzip); low rank
#   kept {glue:text}`cmp_lowrank_params_ratio:.1%` of the parameters at accuracy
#   {glue:text}`cmp_lowrank_accuracy:.3f`.
# * Distillation changed the student's accuracy by
#   {glue:text}`cmp_distilled_minus_student_accuracy:+.3f` on average over
#   {glue:text}`cmp_distill_repeats` seeds (better in
#   {glue:text}`cmp_distill_seeds_better`, worse in {glue:text}`cmp_distill_seeds_worse`).
# * Pruning + int8 is {glue:text}`cmp_gzip_ratio_pruned_int8:.1f`× smaller than the
#   baseline; the TFMOT guide's recipe on the same data only
#   {glue:text}`cmp_gzip_ratio_guide:.1f`×, because its schedule never fires.
# * Single-example int8 latency is {glue:text}`cmp_latency_ratio_int8:.2f`× the float32
#   speed; pruning by itself adds no speed.
#
# ## Exercises
#
# 1. Quantize with `representative_samples = 10`. How does the int8 accuracy change, and
#    why?
# 2. Set `num_clusters = 4`. Which kernel suffers most, and does fine-tuning longer help?
# 3. Give the student only 100 labelled images (`split.y_train[:100]` in the hard loss) but
#    the teacher's soft targets on all training images (zero the one-hot rows of the
#    others). Does distillation help now?
# 4. Measure the latencies with `threads=2` in `tflite.latency`. Does a second thread help
#    a model this small, and does it change the int8 speed-up?
