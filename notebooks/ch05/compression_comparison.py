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
# model of {ref}`ch05-compression`, an 85,000-parameter MLP on the bundled digits, and
# measures what a deployment cares about: file size after gzip, accuracy of the *deployed*
# TFLite model on the test set, and single-example latency in the TFLite interpreter.
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
seed = 0                                  # every random draw follows from it
epochs = 30                               # training epochs of the float baseline and students
finetune_epochs = 10                      # fine-tuning epochs (pruning, QAT, clustering, low rank)
final_sparsity = 0.9                      # the pruning target of the combined pipeline
num_clusters = 16                         # shared values per kernel for weight clustering
lowrank_ranks = [4, 8, 16, 32, 64]        # ranks of the truncated SVD of the hidden kernels
student_width = 32                        # hidden units of the distilled student
distill_temperature = 4.0                 # softmax temperature T of the soft targets
distill_alpha = 0.1                       # weight of the hard-label loss (1 - alpha: soft)
distill_sweep = [1.0, 2.0, 8.0]           # further temperatures tried for comparison
distill_repeats = 3                       # seeds averaged for the student comparison
representative_samples = 200              # calibration inputs for full-integer quantization
latency_runs = 1000                       # timed invoke() calls per measurement
latency_rounds = 3                        # interleaved rounds over all variants (median taken)
batch_size = 32

# %% [markdown]
# ## Set-up and the float baseline
#
# Same data, same model and same training as in {ref}`ch05-compression`.

# %%
import math
import warnings

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
import seaborn as sns
import tensorflow_model_optimization as tfmot
from IPython.display import Markdown
from myst_nb import glue

from scalekit import compress, data, env, models, plots

tf = env.setup(seed=seed)
plots.set_theme()
warnings.filterwarnings("ignore", message=".*HDF5 file.*")
split = data.load("digits", seed=seed)
steps_per_epoch = math.ceil(len(split.x_train) / batch_size)
loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

tf.keras.utils.set_random_seed(seed)
baseline = models.mlp(split.num_features, split.num_classes, width=256, depth=2,
                      name="baseline")
baseline.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=loss, metrics=["accuracy"])
baseline.fit(split.x_train, split.y_train, epochs=epochs, batch_size=batch_size, verbose=0)
keras_accuracy = baseline.evaluate(split.x_test, split.y_test, verbose=0)[1]
baseline_gzip = compress.gzip_size(baseline)       # the gzipped HDF5 file, as TFMOT measures
print(f"{baseline.count_params()} parameters, test accuracy {keras_accuracy:.4f}, "
      f"{baseline_gzip} bytes gzipped")


def fresh_baseline_copy():
    """A copy of the trained baseline (same weights), to fine-tune or wrap."""
    copy = tf.keras.models.clone_model(baseline)
    copy.set_weights(baseline.get_weights())
    return copy


def nonzero_params(model) -> int:
    return int(sum(np.count_nonzero(w) for w in model.get_weights()))


# Every variant goes into this table: the Keras model it came from and its TFLite file.
variants: dict[str, dict] = {}


def add_variant(name: str, keras_model, tflite_model: bytes, family: str, tag: str) -> dict:
    row = {"variant": name, "tag": tag, "family": family, "params": int(keras_model.count_params()),
           "nonzero params": nonzero_params(keras_model), "tflite_model": tflite_model}
    variants[name] = row
    return row


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

# %%
converter = tf.lite.TFLiteConverter.from_keras_model(baseline)
float32_tflite = converter.convert()

converter = tf.lite.TFLiteConverter.from_keras_model(baseline)
converter.optimizations = [tf.lite.Optimize.DEFAULT]
dynamic_tflite = converter.convert()

converter = tf.lite.TFLiteConverter.from_keras_model(baseline)
converter.optimizations = [tf.lite.Optimize.DEFAULT]
converter.target_spec.supported_types = [tf.float16]
float16_tflite = converter.convert()


def representative_dataset():
    for x in split.x_train[:representative_samples]:
        yield [x[None]]                    # one example at a time, with a batch axis


converter = tf.lite.TFLiteConverter.from_keras_model(baseline)
converter.optimizations = [tf.lite.Optimize.DEFAULT]
converter.representative_dataset = representative_dataset
converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
converter.inference_input_type = tf.int8
converter.inference_output_type = tf.int8
int8_tflite = converter.convert()

# %% [markdown]
# `compress.to_tflite(model, mode)` wraps exactly these lines for the variants below, and
# `compress.tflite_accuracy` runs a TFLite model on the test set with the interpreter,
# quantizing the input and dequantizing the output of integer models with their own scale
# and zero point.

# %%
for name, tfl, tag in [("float32 (baseline)", float32_tflite, "fp32"),
                       ("dynamic-range int8", dynamic_tflite, "dyn"),
                       ("float16", float16_tflite, "fp16"), ("full int8", int8_tflite, "int8")]:
    add_variant(name, baseline, tfl, "quantization", tag)
ptq = pd.DataFrame([
    {"variant": name, "TFLite bytes": len(variants[name]["tflite_model"]),
     "gzip bytes": compress.gzip_size(variants[name]["tflite_model"]),
     "accuracy": compress.tflite_accuracy(variants[name]["tflite_model"],
                                          split.x_test, split.y_test)}
    for name in variants])
float32_accuracy = ptq.loc[0, "accuracy"]
int8_accuracy = ptq.loc[3, "accuracy"]
glue("keras_accuracy", float(keras_accuracy), display=False)
glue("float32_accuracy", float(float32_accuracy), display=False)
glue("int8_accuracy", float(int8_accuracy), display=False)
glue("dynamic_accuracy", float(ptq.loc[1, "accuracy"]), display=False)
glue("float16_accuracy", float(ptq.loc[2, "accuracy"]), display=False)
glue("int8_size_ratio", float(ptq.loc[0, "TFLite bytes"] / ptq.loc[3, "TFLite bytes"]),
     display=False)
ptq

# %% [markdown]
# The float32 TFLite model scores {glue:text}`float32_accuracy:.3f`, the same as Keras
# ({glue:text}`keras_accuracy:.3f`). The full-integer model keeps
# {glue:text}`int8_accuracy:.3f` with a file {glue:text}`int8_size_ratio:.1f`× smaller;
# dynamic range and float16 score {glue:text}`dynamic_accuracy:.3f` and
# {glue:text}`float16_accuracy:.3f`. Eight bits are plenty for this model.
#
# (ch05-compression-qat)=
# ## Quantization-aware training
#
# `tfmot.quantization.keras.quantize_model` inserts fake-quantization ops that round weights
# and activations to int8 in the forward pass while gradients flow in float, so fine-tuning
# learns weights that survive the rounding {cite:p}`jacob2018quantization`. The converter then
# uses the learned ranges; no representative dataset is needed.

# %%
tf.keras.utils.set_random_seed(seed)
qat = tfmot.quantization.keras.quantize_model(fresh_baseline_copy())
qat.compile(optimizer=tf.keras.optimizers.Adam(1e-4), loss=loss, metrics=["accuracy"])
qat.fit(split.x_train, split.y_train, epochs=finetune_epochs, batch_size=batch_size, verbose=0)

converter = tf.lite.TFLiteConverter.from_keras_model(qat)
converter.optimizations = [tf.lite.Optimize.DEFAULT]
qat_tflite = converter.convert()
qat_accuracy = compress.tflite_accuracy(qat_tflite, split.x_test, split.y_test)
add_variant("QAT int8", baseline, qat_tflite, "quantization", "QAT")
glue("qat_accuracy", float(qat_accuracy), display=False)
print(f"QAT int8 TFLite model: {len(qat_tflite)} bytes, test accuracy {qat_accuracy:.4f}")

# %% [markdown]
# Quantization-aware training reaches {glue:text}`qat_accuracy:.3f`. On a model where
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
    fresh_baseline_copy(), number_of_clusters=num_clusters,
    cluster_centroids_init=cluster.CentroidInitialization.KMEANS_PLUS_PLUS)
clustering.compile(optimizer=tf.keras.optimizers.Adam(1e-4), loss=loss, metrics=["accuracy"])
clustering.fit(split.x_train, split.y_train, epochs=finetune_epochs, batch_size=batch_size,
               verbose=0)
clustered = cluster.strip_clustering(clustering)

unique_values = pd.DataFrame([{"layer": layer.name, "kernel shape": tuple(w.shape),
                               "distinct values": len(np.unique(w.numpy()))}
                              for layer in clustered.layers for w in layer.weights
                              if "kernel" in w.name])
clustered_tflite = compress.to_tflite(clustered, "float32")
clustered_accuracy = compress.tflite_accuracy(clustered_tflite, split.x_test, split.y_test)
add_variant(f"clustered ({num_clusters})", clustered, clustered_tflite, "clustering", "C")
glue("clustered_unique_values_max", int(unique_values["distinct values"].max()), display=False)
glue("clustered_accuracy", float(clustered_accuracy), display=False)
glue("gzip_ratio_clustered", float(baseline_gzip / compress.gzip_size(clustered)), display=False)
unique_values

# %% [markdown]
# No kernel has more than {glue:text}`clustered_unique_values_max` distinct values. The
# gzipped HDF5 file is {glue:text}`gzip_ratio_clustered:.1f`× smaller than the baseline's,
# at accuracy {glue:text}`clustered_accuracy:.3f`.
#
# (ch05-compression-lowrank)=
# ## Low-rank factorization
#
# A kernel $W$ (inputs × outputs) is approximated by its truncated singular value
# decomposition $W \approx (U_r \Sigma_r)\,V_r^\top$, which is two `Dense` layers: one of
# width $r$ without bias or activation, then the original layer's outputs, bias and
# activation. It saves parameters when $r(\text{in}+\text{out}) < \text{in}\cdot\text{out}$.
# We factor both hidden layers (the small output layer stays), evaluate the factored model as
# is, then after fine-tuning.

# %%
def factorize(model, rank: int):
    """The model with each hidden Dense kernel replaced by its rank-`rank` SVD factors."""
    dense_layers = [layer for layer in model.layers if isinstance(layer, tf.keras.layers.Dense)]
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
for rank in lowrank_ranks:
    tf.keras.utils.set_random_seed(seed)
    factored = factorize(baseline, rank)
    factored.compile(optimizer=tf.keras.optimizers.Adam(1e-4), loss=loss, metrics=["accuracy"])
    svd_only = factored.evaluate(split.x_test, split.y_test, verbose=0)[1]
    factored.fit(split.x_train, split.y_train, epochs=finetune_epochs, batch_size=batch_size,
                 verbose=0)
    lowrank_models[rank] = factored
    lowrank_rows.append({"rank": rank, "params": factored.count_params(),
                         "params ratio": factored.count_params() / baseline.count_params(),
                         "accuracy (SVD only)": svd_only,
                         "accuracy (fine-tuned)": factored.evaluate(split.x_test, split.y_test,
                                                                    verbose=0)[1]})
lowrank = pd.DataFrame(lowrank_rows)
lowrank

# %%
good = lowrank[lowrank["accuracy (fine-tuned)"] >= keras_accuracy - 0.01]
chosen = good.iloc[0] if len(good) else lowrank.iloc[-1]   # smallest rank within 1 point
lowrank_rank = int(chosen["rank"])
glue("lowrank_rank", lowrank_rank, display=False)
glue("lowrank_params_ratio", float(chosen["params ratio"]), display=False)
glue("lowrank_accuracy", float(chosen["accuracy (fine-tuned)"]), display=False)
glue("lowrank_svd_only_accuracy", float(chosen["accuracy (SVD only)"]), display=False)
glue("lowrank_within_1pt", bool(len(good) > 0), display=False)
lowrank_tflite = compress.to_tflite(lowrank_models[lowrank_rank], "float32")
add_variant(f"low rank (r={lowrank_rank})", lowrank_models[lowrank_rank], lowrank_tflite,
            "low rank", "LR")

fig, ax = plt.subplots()
long = lowrank.melt(id_vars=["rank", "params"], value_vars=["accuracy (SVD only)",
                                                             "accuracy (fine-tuned)"],
                    var_name="model", value_name="accuracy")
sns.lineplot(data=long, x="params", y="accuracy", hue="model", marker="o", ax=ax)
ax.axhline(keras_accuracy, color="grey", lw=0.8, ls=":", label="float baseline")
ax.set(xscale="log", title="Low-rank factorization: parameters versus accuracy",
       xlabel="parameters of the factored model", ylabel="test accuracy")
ax.legend(fontsize=9)
plt.show()

# %% [markdown]
# Rank {glue:text}`lowrank_rank` is the smallest rank that stays within one point of the
# baseline after fine-tuning (accuracy {glue:text}`lowrank_accuracy:.3f`, straight after the
# SVD {glue:text}`lowrank_svd_only_accuracy:.3f`) with
# {glue:text}`lowrank_params_ratio:.1%` of the baseline's parameters. Unlike pruning, this
# saving is in the *shapes*: fewer multiply-adds, on any hardware.
#
# (ch05-compression-distillation)=
# ## Knowledge distillation
#
# A student with one hidden layer of `student_width` units is trained twice from the same
# initialization: once on the labels alone, once on a mix of the labels and the teacher's
# softened outputs. With temperature $T$, the loss is
# $\alpha\,\mathrm{CE}(y, \sigma(z_s)) + (1-\alpha)\,T^2\,\mathrm{KL}(\sigma(z_t/T)\,\|\,\sigma(z_s/T))$
# {cite:p}`hinton2015distilling`; the factor $T^2$ keeps the soft term's gradients on the
# scale of the hard one. The teacher's soft targets are computed once and passed to `fit`
# next to the one-hot labels.

# %%
teacher_logits = baseline.predict(split.x_train, verbose=0)
one_hot = np.eye(split.num_classes)[split.y_train]


def distillation_loss(T: float, alpha: float):
    def loss_fn(targets, student_logits):
        hard, soft = targets[:, :split.num_classes], targets[:, split.num_classes:]
        ce = tf.keras.losses.categorical_crossentropy(hard, student_logits, from_logits=True)
        kl = tf.keras.losses.kl_divergence(soft, tf.nn.softmax(student_logits / T))
        return alpha * ce + (1 - alpha) * T**2 * kl
    return loss_fn


def train_student(run_seed: int, T: float | None = None):
    """A student trained on the labels (T=None) or distilled from the teacher at temperature T."""
    tf.keras.utils.set_random_seed(run_seed)         # same initialization for every student
    student = models.mlp(split.num_features, split.num_classes, width=student_width,
                         name="student")
    if T is None:
        student.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=loss)
        targets = split.y_train
    else:
        student.compile(optimizer=tf.keras.optimizers.Adam(1e-3),
                        loss=distillation_loss(T, distill_alpha))
        targets = np.concatenate([one_hot, tf.nn.softmax(teacher_logits / T).numpy()], axis=1)
    student.fit(split.x_train, targets, epochs=epochs, batch_size=batch_size, verbose=0)
    accuracy = float(np.mean(np.argmax(student.predict(split.x_test, verbose=0), axis=1)
                             == split.y_test))
    return student, accuracy


temperatures = [distill_temperature] + [t for t in distill_sweep if t != distill_temperature]
students = []
for r in range(distill_repeats):
    row = {"seed": seed + r, "student alone": train_student(seed + r)[1]}
    for T in temperatures:
        student, row[f"distilled, T={T:g}"] = train_student(seed + r, T)
        if T == distill_temperature:
            distilled = student
    students.append(row)
students = pd.DataFrame(students).set_index("seed")
students.loc["mean"] = students.mean()
student_accuracy = students.loc["mean", "student alone"]
distilled_accuracy = students.loc["mean", f"distilled, T={distill_temperature:g}"]
sweep_gains = students.loc["mean"].drop("student alone") - student_accuracy
glue("student_params", int(distilled.count_params()), display=False)
glue("student_params_ratio", float(distilled.count_params() / baseline.count_params()),
     display=False)
glue("student_accuracy", float(student_accuracy), display=False)
glue("distilled_accuracy", float(distilled_accuracy), display=False)
glue("distilled_minus_student_accuracy", float(distilled_accuracy - student_accuracy),
     display=False)
glue("distill_best_gain", float(sweep_gains.max()), display=False)
add_variant(f"distilled student (w={student_width})", distilled,
            compress.to_tflite(distilled, "float32"), "distillation", "S")
add_variant(f"distilled student (w={student_width}) + int8", distilled,
            compress.to_tflite(distilled, "int8",
                               representative_data=split.x_train[:representative_samples]),
            "distillation", "S+int8")
students

# %% [markdown]
# The student has {glue:text}`student_params` parameters
# ({glue:text}`student_params_ratio:.1%` of the teacher's). Averaged over
# the seeds, it scores {glue:text}`student_accuracy:.3f` trained on the labels alone and
# {glue:text}`distilled_accuracy:.3f` distilled at the chosen temperature, a difference of
# {glue:text}`distilled_minus_student_accuracy:+.3f`; across all temperatures in the table
# the largest gain is {glue:text}`distill_best_gain:+.3f` (and that one is picked on the test
# set, so it flatters). With 450 test images one image is 0.22 points.
#
# On this task, at the book's default settings, distillation gives the student no
# measurable gain, and the higher temperatures do worse than $T=1$ (the table). We report
# it as measured. A plausible reading: the digits labels are clean, the teacher is almost
# always certain, and a student this small has little capacity to spare for imitating the
# teacher's full output distribution. The gains reported
# by {cite:t}`hinton2015distilling` come from larger students and harder tasks; exercise 3
# explores when the teacher's soft targets start to pay.
#
# (ch05-compression-pipeline)=
# ## The combined pipeline, and the TFMOT guide's recipe
#
# First, the recipe of the TFMOT pruning guide, transplanted unchanged to our data: prune from
# 50% to 80% over two epochs at batch size 128 (with 10% of the data held out for validation
# and the default `frequency=100`), strip, and convert with dynamic-range quantization.

# %%
tf.keras.utils.set_random_seed(seed)
guide_end_step = math.ceil(0.9 * len(split.x_train) / 128) * 2
guide = tfmot.sparsity.keras.prune_low_magnitude(
    fresh_baseline_copy(),
    pruning_schedule=tfmot.sparsity.keras.PolynomialDecay(
        initial_sparsity=0.50, final_sparsity=0.80, begin_step=0, end_step=guide_end_step))
guide.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
guide.fit(split.x_train, split.y_train, batch_size=128, epochs=2, validation_split=0.1,
          verbose=0, callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
guide_pruned = tfmot.sparsity.keras.strip_pruning(guide)
guide_tflite = compress.to_tflite(guide_pruned, "dynamic")
guide_sparsity = compress.sparsity([w for w in guide_pruned.weights if "kernel" in w.name])
add_variant("TFMOT guide recipe (pruned + dynamic)", guide_pruned, guide_tflite, "combined",
            "guide")
glue("guide_end_step", int(guide_end_step), display=False)
glue("guide_sparsity", float(guide_sparsity), display=False)
print(f"end_step {guide_end_step}: exported kernel sparsity {guide_sparsity:.3f}")

# %% [markdown]
# On 1,347 training images two epochs are only {glue:text}`guide_end_step` steps, fewer than
# the default `frequency` of 100. The wrappers count training steps from 1 and update the mask
# only at `begin_step + k·frequency`, so no update ever happens, not even to the initial 50%:
# the exported kernels are {glue:text}`guide_sparsity:.1%` zero instead of 80%. The guide's
# recipe relies on MNIST's 60,000 images; this is the pitfall of
# {ref}`ch05-compression-frequency` again.
#
# Our pipeline: prune gradually to `final_sparsity` with a `frequency` that fits the data
# (the recipe of {ref}`ch05-compression`), then (a) quantize to full int8, and (b) cluster the
# remaining weights with *sparsity-preserving* clustering first, so the zeros stay zeros,
# then quantize.

# %%
# sparsity-preserving clustering is (in TFMOT 0.8) only reachable under its internal path
from tensorflow_model_optimization.python.core.clustering.keras.experimental import (
    cluster as sparsity_preserving,
)

frequency = max(1, steps_per_epoch // 4)
end_step = frequency * max(1, (2 * finetune_epochs * steps_per_epoch) // (3 * frequency))
tf.keras.utils.set_random_seed(seed)
pruning = tfmot.sparsity.keras.prune_low_magnitude(
    fresh_baseline_copy(),
    pruning_schedule=tfmot.sparsity.keras.PolynomialDecay(
        initial_sparsity=0.0, final_sparsity=final_sparsity, begin_step=0, end_step=end_step,
        frequency=frequency))
pruning.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=loss, metrics=["accuracy"])
pruning.fit(split.x_train, split.y_train, epochs=finetune_epochs, batch_size=batch_size,
            verbose=0, callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
pruned = tfmot.sparsity.keras.strip_pruning(pruning)
pruned_sparsity = compress.sparsity([w for w in pruned.weights if "kernel" in w.name])

calibration = split.x_train[:representative_samples]
add_variant(f"pruned {final_sparsity:.0%}", pruned, compress.to_tflite(pruned, "float32"),
            "pruning", "P")
pruned_int8 = add_variant(f"pruned {final_sparsity:.0%} + int8", pruned,
                          compress.to_tflite(pruned, "int8", representative_data=calibration),
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
pipeline_sparsity = compress.sparsity([w for w in pruned_clustered.weights
                                       if "kernel" in w.name])
pipeline = add_variant(f"pruned {final_sparsity:.0%} + clustered + int8", pruned_clustered,
                       compress.to_tflite(pruned_clustered, "int8",
                                          representative_data=calibration), "combined",
                       "P+C+int8")
glue("pipeline_pruned_sparsity", float(pruned_sparsity), display=False)
glue("pipeline_clustered_sparsity", float(pipeline_sparsity), display=False)
print(f"pruned kernels {pruned_sparsity:.3f} zero; after sparsity-preserving clustering "
      f"{pipeline_sparsity:.3f}")

# %% [markdown]
# ## Every variant in one table
#
# For each variant: parameters and non-zero parameters of its Keras model, the TFLite file
# and its gzipped size, accuracy of the TFLite model on the test set, and the median time of
# one single-example `invoke()` with one interpreter thread after warm-up. The latency
# measurements are interleaved: `latency_rounds` rounds each time every model in turn, and the
# median of the rounds is kept, so a burst of load on the machine hits all variants alike.
#
# Size ratios compare with the gzipped *Keras* baseline file (the TFMOT guide's convention,
# {glue:text}`baseline_gzip_kib:.1f` KiB); latency ratios with the float32 TFLite model.

# %%
for row in variants.values():
    tfl = row["tflite_model"]
    row["TFLite bytes"] = len(tfl)
    row["gzip bytes"] = compress.gzip_size(tfl)
    row["accuracy"] = compress.tflite_accuracy(tfl, split.x_test, split.y_test)

example = split.x_test[:1]
rounds = {name: [] for name in variants}
for _ in range(latency_rounds):
    for name, row in variants.items():
        rounds[name].append(compress.tflite_latency(row["tflite_model"], example,
                                                    runs=latency_runs,
                                                    warmup=max(10, latency_runs // 10)))
for name, row in variants.items():
    row["latency µs"] = 1e6 * float(np.median(rounds[name]))
# the interpreter's fixed cost: the same measurement on a model with a single Dense(1) layer
one_unit = tf.keras.Sequential([tf.keras.Input(shape=(split.num_features,)),
                                tf.keras.layers.Dense(1)])
latency_floor = compress.tflite_latency(compress.to_tflite(one_unit), example,
                                        runs=latency_runs, warmup=max(10, latency_runs // 10))

table = pd.DataFrame([{k: v for k, v in row.items() if k != "tflite_model"}
                      for row in variants.values()]).set_index("variant")
base = table.loc["float32 (baseline)"]
table["size ratio"] = baseline_gzip / table["gzip bytes"]
table["latency ratio"] = base["latency µs"] / table["latency µs"]
table["accuracy − baseline"] = table["accuracy"] - base["accuracy"]
table.style.format({"accuracy": "{:.3f}", "latency µs": "{:.2f}", "size ratio": "{:.1f}×",
                    "latency ratio": "{:.2f}×", "accuracy − baseline": "{:+.3f}"})

# %%
int8_row, guide_row = table.loc["full int8"], table.loc["TFMOT guide recipe (pruned + dynamic)"]
pruned_int8_row = table.loc[pruned_int8["variant"]]
pipeline_row = table.loc[pipeline["variant"]]
eligible = table[table["accuracy"] >= base["accuracy"] - 0.01]
best = eligible["gzip bytes"].idxmin()
glue("baseline_gzip_kib", float(baseline_gzip / 1024), display=False)
glue("gzip_ratio_pruned_int8", float(pruned_int8_row["size ratio"]), display=False)
glue("pruned_int8_accuracy", float(pruned_int8_row["accuracy"]), display=False)
glue("pruned_int8_accuracy_drop", float(base["accuracy"] - pruned_int8_row["accuracy"]),
     display=False)
glue("gzip_ratio_guide", float(guide_row["size ratio"]), display=False)
glue("guide_accuracy", float(guide_row["accuracy"]), display=False)
glue("gzip_ratio_pipeline", float(pipeline_row["size ratio"]), display=False)
glue("pipeline_accuracy", float(pipeline_row["accuracy"]), display=False)
glue("latency_float32_us", float(base["latency µs"]), display=False)
glue("latency_int8_us", float(int8_row["latency µs"]), display=False)
glue("latency_ratio_int8", float(int8_row["latency ratio"]), display=False)
glue("latency_floor_us", float(1e6 * latency_floor), display=False)
glue("latency_ratio_pruned_int8", float(pruned_int8_row["latency ratio"]), display=False)
glue("best_variant", Markdown(f"*{best}*"), display=False)
glue("best_size_ratio", float(table.loc[best, "size ratio"]), display=False)
glue("best_accuracy", float(table.loc[best, "accuracy"]), display=False)

# %% [markdown]
# (ch05-compression-pareto)=
# ## Size, speed and accuracy: the Pareto view
#
# A variant is *Pareto-optimal* when no other one is both smaller and at least as accurate.
# The dashed line connects those points, for size (left) and for latency (right); the dotted
# line is one point below the float baseline. Points are labelled with the `tag` column of
# the table.

# %%
def pareto_front(frame: pd.DataFrame, cost: str, value: str) -> pd.DataFrame:
    ordered = frame.sort_values([cost, value], ascending=[True, False])
    return ordered[ordered[value] > ordered[value].cummax().shift(fill_value=-np.inf)]


plot_data = table.reset_index()
plot_data["gzip KiB"] = plot_data["gzip bytes"] / 1024
fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True)
for ax, cost in zip(axes, ["gzip KiB", "latency µs"], strict=True):
    sns.scatterplot(data=plot_data, x=cost, y="accuracy", hue="family", style="family", s=90,
                    ax=ax, legend=ax is axes[0])
    front = pareto_front(plot_data, cost, "accuracy")
    ax.plot(front[cost], front["accuracy"], color="grey", lw=1, ls="--", zorder=0)
    ax.axhline(base["accuracy"] - 0.01, color="grey", lw=0.8, ls=":")
    ax.set(xscale="log", xlabel=f"{cost} (log scale)", ylabel="test accuracy (TFLite)")
    ax.xaxis.set_major_locator(mticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(mticker.NullFormatter())
    ax.autoscale_view()
    placed: list[np.ndarray] = []      # stack the tags of points that sit on top of each other
    for _, r in plot_data.sort_values(cost).iterrows():
        xy = ax.transData.transform((r[cost], r["accuracy"]))
        k = sum(np.all(np.abs(xy - p) < (30, 8)) for p in placed)
        placed.append(xy)
        ax.annotate(r["tag"], (r[cost], r["accuracy"]), xytext=(5, 3 + 9 * k),
                    textcoords="offset points", fontsize=8)
axes[0].set_title("Accuracy versus compressed size")
axes[1].set_title("Accuracy versus single-example latency")
axes[0].legend(fontsize=8, loc="lower right")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## What the measurements say
#
# * **Pruning + int8.** Pruned to {glue:text}`pipeline_pruned_sparsity:.1%` and quantized to
#   full int8, the model is {glue:text}`gzip_ratio_pruned_int8:.1f`× smaller than the gzipped
#   Keras baseline, at accuracy {glue:text}`pruned_int8_accuracy:.3f` (a drop of
#   {glue:text}`pruned_int8_accuracy_drop:.3f`). The TFMOT guide's recipe, run on the same
#   data, reaches {glue:text}`gzip_ratio_guide:.1f`× (accuracy
#   {glue:text}`guide_accuracy:.3f`), held back by the frequency pitfall. Adding
#   sparsity-preserving clustering gives {glue:text}`gzip_ratio_pipeline:.1f`× at
#   {glue:text}`pipeline_accuracy:.3f`.
# * **Smallest within one point.** Of all variants within one point of the float baseline,
#   the smallest is {glue:md}`best_variant`, {glue:text}`best_size_ratio:.1f`× smaller
#   (accuracy {glue:text}`best_accuracy:.3f`).
# * **Latency.** The full-int8 model runs one example in {glue:text}`latency_int8_us:.2f` µs
#   against {glue:text}`latency_float32_us:.2f` µs for float32, a ratio of
#   {glue:text}`latency_ratio_int8:.2f`×. For a single example this model is little work
#   (about 85,000 multiply-adds), and part of every call is the interpreter's fixed cost: a
#   model with a single `Dense(1)` layer, timed the same way, takes
#   {glue:text}`latency_floor_us:.2f` µs. The float32 model already runs through TFLite's
#   optimized XNNPACK kernels, so int8 gains less than its 4× smaller weights might suggest.
#   Pruning adds no speed of its own: pruned + int8 runs at
#   {glue:text}`latency_ratio_pruned_int8:.2f`× the float32 speed, int8 alone at
#   {glue:text}`latency_ratio_int8:.2f`×, because the kernels keep their shapes and TFLite
#   multiplies the zeros. Low rank and the small student save real multiply-adds.
# * Latencies on a shared machine move from run to run; the ratios measured in the same run
#   are what to compare.
#
# ## Exercises
#
# 1. Quantize with `representative_samples = 10`. How does the int8 accuracy change, and why?
# 2. Set `num_clusters = 4`. Which kernel suffers most, and does fine-tuning longer help?
# 3. Give the student only 100 labelled images (`split.y_train[:100]` in the hard loss) but
#    the teacher's soft targets on all 1,347 training images (zero the one-hot rows of the
#    others). Does distillation help now?
# 4. Measure the latencies with `threads=2` in `compress.tflite_latency`. Does a second
#    thread help a model this small, and does it change the int8 speed-up?
