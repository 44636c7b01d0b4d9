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
# (ch05-compression)=
# # Model compression done right: pruning
#
# The source ends its project (§5.2.2, repeated in §5.3.4) by "compressing" its model with
# pruning, and lists pruning, quantization, parameter sharing and low-rank factorization
# among the methods of model scaling (§1.5). Its pruning listing does not run: it calls an
# API that does not exist, passes keyword arguments the real API rejects, leaves out the
# callback training requires, never removes the pruning wrappers, and applies all this to a
# model with two weights, built under a distribution strategy in a way the toolkit cannot
# prune. This section shows each of those failures as a real error, then prunes a model worth
# compressing with the TensorFlow Model Optimization toolkit (TFMOT) and *verifies* the result
# in the exported weights. The next section, {ref}`ch05-compression-comparison`, adds
# quantization, clustering, low-rank factorization and distillation and compares all of them.
#
# Magnitude pruning sets the weights of smallest absolute value to zero and fine-tunes the
# rest to compensate {cite:p}`han2015learning`. A pruned model is *not* smaller or faster by
# itself: its kernels keep their shapes, with zeros in them. The zeros pay off when the file
# is compressed (this section measures gzip), when a runtime skips them (2:4 structured
# sparsity on GPUs that support it), or combined with quantization {cite:p}`han2016deep`.

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
epochs = 30              # training epochs of the float baseline
finetune_epochs = 10     # epochs of pruning + fine-tuning
final_sparsity = 0.9     # the pruning target (fraction of zero weights)
sweep_sparsities = [0.0, 0.5, 0.7, 0.8, 0.9, 0.95]  # targets of the accuracy sweep
strategy_epochs = 2      # epochs of the MirroredStrategy demo
batch_size = 32          # examples per training step

# %% [markdown]
# ## Set-up
#
# The last part of this section prunes under `tf.distribute.MirroredStrategy`, so the CPU is
# split into two logical devices here, before TensorFlow starts (on a machine with two GPUs
# the strategy uses them instead).

# %%
import math
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns
import tensorflow_model_optimization as tfmot

from scalekit import compress, data, env, models, plots, report

tf = env.setup(seed=seed, logical_cpus=2)
plots.set_theme()
# we save .h5 on purpose: it is the file the TFMOT guide gzips
warnings.filterwarnings("ignore", message=".*HDF5 file.*")
split = data.load("digits", seed=seed)
steps_per_epoch = math.ceil(len(split.x_train) / batch_size)
print(f"train {split.x_train.shape}, test {split.x_test.shape}, "
      f"{steps_per_epoch} steps per epoch at batch size {batch_size}")

# %% [markdown]
# ## The source's listing, annotated
#
# This is the source's pruning code as printed (§5.2.2 and §5.3.4), *not executed*; the
# comments mark what is wrong. `model` is the source's one-input linear regression
# `Dense(units=1, input_shape=(1,))`, built and compiled inside `strategy.scope()` for a
# `MirroredStrategy`.
#
# ```python
# import tensorflow_model_optimization as tfo
#
# # (1) tfo.keras does not exist: the pruning API is
# #     tfo.sparsity.keras.prune_low_magnitude;
# #     there is no "privwise" module and no "Pruneapter_pruning" function.
# # (1b) even at the right path, pruning_params={...} is not a parameter: it is swallowed
# #     without an error and the default schedule, ConstantSparsity(0.5), is used instead.
# #     Pass pruning_schedule=... (or unpack the dict: **pruning_params).
# pruned_model = tfo.keras.pruning.privwise.Pruneapter_pruning(model, pruning_params={
#     # (2) the schedule lives at tfo.sparsity.keras.PolynomialDecay and takes
#     #     initial_sparsity, final_sparsity, begin_step, end_step (and frequency=100):
#     #     initial_step / start_sparsity / end_sparsity are rejected with a TypeError.
#     # (3) even with the right names, end_step - begin_step = 40 < frequency = 100:
#     #     the mask is updated only at step 10, at sparsity 0. Nothing is pruned.
#     'pruning_schedule': tfo.keras.pruning.schedules.PolynomialDecay(
#         initial_step=10, end_step=50, start_sparsity=0.0, end_sparsity=0.5)
# })
# # (4) `model` was built under strategy.scope(); wrapping it outside that scope fails
# #     with "TypeError: tuple indices must be integers or slices, not MirroredVariable".
#
# pruned_model.compile(optimizer='sgd', loss='mse')
# # (5) no tfo.sparsity.keras.UpdatePruningStep() callback: fit() stops with
# #     "Prune() wrapper requires the UpdatePruningStep callback".
# pruned_model.fit(x_train, y_train, epochs=10, steps_per_epoch=10)
# # (6) no strip_pruning(): the model still carries a mask and a threshold per kernel,
# #     twice the parameters of the original, and cannot be reloaded without
# #     prune_scope().
# # (7) the model has two weights (one kernel entry, one bias; biases are never pruned):
# #     "50% sparsity" of one weight is all or nothing, and the saved file is overhead.
# ```
#
# The source also cites the method as "Model Compression via Network Pruning" by "S. Han,
# J. Pool, J. Tran, W. Dally, K. Tran"; no such paper exists. The pruning paper by those
# authors (without a second Tran) is *Learning both Weights and Connections for Efficient
# Neural Networks* {cite:p}`han2015learning`.

# %% [markdown]
# (ch05-compression-source-api)=
# ### Errors (1) and (2): the API and its arguments
#
# Each call is tried as the source writes it; the exception is caught and printed. For (1b)
# we call the real function with the source's `pruning_params={...}` and ask the wrapper
# which schedule it actually got.

# %%
import tensorflow_model_optimization as tfo

try:
    tfo.keras.pruning.privwise.Pruneapter_pruning
    source_api_missing = False
except AttributeError as err:
    source_api_missing = True
    print("(1)", type(err).__name__ + ":", err)

try:
    tfo.sparsity.keras.PolynomialDecay(initial_step=10, end_step=50,
                                       start_sparsity=0.0, end_sparsity=0.5)
    source_kwargs_rejected = False
except TypeError as err:
    source_kwargs_rejected = True
    print("(2)", type(err).__name__ + ":", err)

asked = tfo.sparsity.keras.PolynomialDecay(initial_sparsity=0.0, final_sparsity=0.5,
                                           begin_step=10, end_step=50)
probe = tf.keras.Sequential([tf.keras.Input(shape=(8,)), tf.keras.layers.Dense(4)])
wrapped = tfo.sparsity.keras.prune_low_magnitude(
    probe, pruning_params={"pruning_schedule": asked})
used = wrapped.layers[0].pruning_schedule
source_params_ignored = not isinstance(used, tfo.sparsity.keras.PolynomialDecay)
print("(1b) no error; schedule actually used:", type(used).__name__, used.get_config())

# %% tags=["remove-input"]
report.record("prune", source_api_missing=source_api_missing,
              source_params_ignored=source_params_ignored,
              source_kwargs_rejected=source_kwargs_rejected)

# %% [markdown]
# (ch05-compression-tiny)=
# ### Error (7): a two-weight model has nothing to prune
#
# The source's model is one `Dense(1)` unit on one input: one kernel entry and one bias.
# Saved and gzipped, almost all of its file is format overhead:

# %%
tiny = tf.keras.Sequential([tf.keras.Input(shape=(1,)), tf.keras.layers.Dense(1)])
tiny_weight_bytes = 4 * tiny.count_params()          # float32
tiny_gzip = compress.gzip_size(tiny)
print(f"{tiny.count_params()} parameters = {tiny_weight_bytes} bytes of weights "
      f"in a {tiny_gzip}-byte gzipped file")

# %% tags=["remove-input"]
report.record("prune", tiny_params=tiny.count_params(), tiny_gzip_bytes=tiny_gzip,
              tiny_weight_fraction=tiny_weight_bytes / tiny_gzip)

# %% [markdown]
# The weights are {glue:text}`prune_tiny_weight_fraction:.1%` of the file. Pruning such a model can
# only save that fraction, and "50% sparsity" of a single kernel entry means either keeping it
# or deleting the model's only input. Compression needs a model with redundant weights.
#
# ## A model worth compressing
#
# The rest of the chapter uses scikit-learn's bundled handwritten digits (8×8 images,
# {glue:text}`prune_n_train` for training and {glue:text}`prune_n_test` for testing) and
# an MLP with two hidden layers of 256 units: 64·256 + 256·256 + 256·10 weights plus
# biases, far more than this task needs, which is the situation pruning is for.
# `compress.trained_copy` gives each technique its own copy of the trained baseline.

# %%
loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
tf.keras.utils.set_random_seed(seed)
baseline = models.mlp(split.num_features, split.num_classes, width=256, depth=2,
                      name="baseline")
baseline.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=loss,
                 metrics=["accuracy"])
baseline.fit(split.x_train, split.y_train, epochs=epochs, batch_size=batch_size,
             verbose=0)
baseline_accuracy = baseline.evaluate(split.x_test, split.y_test, verbose=0)[1]
baseline_gzip = compress.gzip_size(baseline)

# %% tags=["remove-input"]
report.record("prune", n_train=len(split.y_train), n_test=len(split.y_test),
              baseline_accuracy=baseline_accuracy,
              baseline_params=baseline.count_params(),
              baseline_gzip_kib=baseline_gzip / 1024)

# %% [markdown]
# The baseline has {glue:text}`prune_baseline_params` parameters and reaches a test
# accuracy of {glue:text}`prune_baseline_accuracy:.3f`; its gzipped HDF5 file takes
# {glue:text}`prune_baseline_gzip_kib:.1f` KiB. Trained float32 weights look like noise to gzip,
# so the file barely compresses: every saving below comes from zeros or repeated values.
#
# (ch05-compression-frequency)=
# ## Error (3): a schedule that silently prunes nothing
#
# `PolynomialDecay` {cite:p}`zhu2017prune` raises the sparsity from `initial_sparsity` at
# `begin_step` to `final_sparsity` at `end_step` along a cubic curve, but it updates the mask
# only at steps `begin_step + k·frequency` up to `end_step`, and `frequency` defaults to 100.
# With the source's `begin_step=10, end_step=50` the only update inside the window is at
# step 10, where the target is still 0. Training runs, nothing complains, nothing is pruned.
# Here is that schedule, with the argument names corrected, on our model:

# %%
def prune_and_strip(schedule=None, *, epochs_=finetune_epochs, **prune_kwargs):
    """Prune a copy of the baseline with TFMOT, fine-tune it, return it stripped."""
    if schedule is not None:
        prune_kwargs["pruning_schedule"] = schedule
    pruned = tfmot.sparsity.keras.prune_low_magnitude(compress.trained_copy(baseline),
                                                      **prune_kwargs)
    pruned.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=loss,
                   metrics=["accuracy"])
    pruned.fit(split.x_train, split.y_train, epochs=epochs_, batch_size=batch_size,
               verbose=0, callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    return tfmot.sparsity.keras.strip_pruning(pruned)


silent = prune_and_strip(tfmot.sparsity.keras.PolynomialDecay(
    initial_sparsity=0.0, final_sparsity=0.5, begin_step=10, end_step=50), epochs_=2)

# %% tags=["remove-input"]
report.record("prune", frequency_pitfall_sparsity=compress.kernel_sparsity(silent))

# %% [markdown]
# The exported kernels are {glue:text}`prune_frequency_pitfall_sparsity:.1%` zero
# (`compress.kernel_sparsity` counts the zeros in every kernel of the exported model). The fix is a
# `frequency` well below `end_step - begin_step`, and the habit this chapter follows
# throughout: read the sparsity from the exported weights, never from the schedule.
#
# (ch05-compression-callback)=
# ## Error (5): training without `UpdatePruningStep`
#
# The pruning wrappers keep a step counter that only the `UpdatePruningStep` callback
# advances. Without it, the first training step stops at an assertion:

# %%
no_callback = tfmot.sparsity.keras.prune_low_magnitude(
    compress.trained_copy(baseline),
    pruning_schedule=tfmot.sparsity.keras.ConstantSparsity(0.5, begin_step=0,
                                                           frequency=10))
no_callback.compile(optimizer="adam", loss=loss)
try:
    no_callback.fit(split.x_train, split.y_train, epochs=1, verbose=0)
    missing_callback_error = False
except tf.errors.InvalidArgumentError as err:
    missing_callback_error = "UpdatePruningStep" in str(err)
    message = str(err)
    print(type(err).__name__ + ":", message[message.index("Prune()"):].split("]")[0])

# %% tags=["remove-input"]
report.record("prune", missing_callback_error=missing_callback_error)

# %% [markdown]
# ## Pruning done right
#
# The recipe: wrap the *trained* model with `prune_low_magnitude` and a schedule, fine-tune
# with `UpdatePruningStep`, then `strip_pruning` before export. The schedule ramps from 0 to
# `final_sparsity` over the first two thirds of fine-tuning, updating the mask four times per
# epoch, and leaves the last third for the remaining weights to recover. The mask is updated
# only at `begin_step + k·frequency` up to `end_step`, so `end_step` is made a multiple of
# `frequency`: otherwise the last update falls short of the target.
# `compress.pruning_steps` does this arithmetic:
#
# ```{literalinclude} ../../scalekit/compress.py
# :pyobject: pruning_steps
# ```

# %%
frequency, end_step = compress.pruning_steps(steps_per_epoch, finetune_epochs)
schedule = tfmot.sparsity.keras.PolynomialDecay(
    initial_sparsity=0.0, final_sparsity=final_sparsity,
    begin_step=0, end_step=end_step, frequency=frequency)

tf.keras.utils.set_random_seed(seed)
pruning = tfmot.sparsity.keras.prune_low_magnitude(compress.trained_copy(baseline),
                                                   pruning_schedule=schedule)
pruning.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=loss,
                metrics=["accuracy"])
pruning.fit(split.x_train, split.y_train, epochs=finetune_epochs, batch_size=batch_size,
            verbose=0, callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
pruned = tfmot.sparsity.keras.strip_pruning(pruning)
pruned.compile(loss=loss, metrics=["accuracy"])
pruned_accuracy = pruned.evaluate(split.x_test, split.y_test, verbose=0)[1]
print(f"end_step {end_step}, frequency {frequency}: "
      f"test accuracy {pruned_accuracy:.4f}")

# %% [markdown]
# ### Sparsity, read from the exported weights
#
# `compress.layer_sparsity` counts the zeros in each kernel of the stripped model. Biases stay
# dense (TFMOT never prunes them), so the model's overall sparsity is a little below the
# kernels'.

# %%
per_layer = compress.layer_sparsity(pruned)
zeros = per_layer["params"].sub(per_layer["nonzero"]).sum()
pruned_sparsity = zeros / per_layer["params"].sum()
overall = compress.sparsity(pruned.get_weights())
pruned_gzip = compress.gzip_size(pruned)
gzip_ratio_pruned = baseline_gzip / pruned_gzip
report.table(per_layer, digits={"sparsity": 3})

# %% tags=["remove-input"]
report.record("prune", sparsity=pruned_sparsity, overall_sparsity=overall,
              accuracy=pruned_accuracy, gzip_ratio=gzip_ratio_pruned,
              gzip_kib=pruned_gzip / 1024, params=pruned.count_params(),
              params_unchanged=pruned.count_params() == baseline.count_params())

# %% [markdown]
# The exported kernels are {glue:text}`prune_sparsity:.1%` zero
# ({glue:text}`prune_overall_sparsity:.1%` of all weights, biases included). Test accuracy
# went from {glue:text}`prune_baseline_accuracy:.3f` to {glue:text}`prune_accuracy:.3f`,
# and the gzipped file shrank from {glue:text}`prune_baseline_gzip_kib:.1f` KiB to
# {glue:text}`prune_gzip_kib:.1f` KiB, {glue:text}`prune_gzip_ratio:.1f`× smaller. The
# parameter count did not change ({glue:text}`prune_params` before and after): the zeros
# are still stored, gzip is what removes them.
#
# (ch05-compression-strip)=
# ### Error (6): why `strip_pruning` matters
#
# The wrapped model carries a mask (same shape as its kernel) and a threshold for every
# pruned layer. Exporting it unstripped doubles the parameter count and produces a file that
# only loads inside `prune_scope()`:

# %%
unstripped_params_ratio = pruning.count_params() / pruned.count_params()
with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "unstripped.h5"
    pruning.save(path, include_optimizer=False)
    unstripped_gzip_kib = compress.gzip_size(path) / 1024
    try:
        tf.keras.models.load_model(path)
        reload_needs_scope = False
    except ValueError as err:
        reload_needs_scope = True
        print("load_model:", str(err).splitlines()[0][:110], "...")
    with tfmot.sparsity.keras.prune_scope():
        tf.keras.models.load_model(path)

# %% tags=["remove-input"]
report.record("prune", unstripped_params_ratio=unstripped_params_ratio,
              unstripped_gzip_kib=unstripped_gzip_kib,
              reload_needs_scope=reload_needs_scope)

# %% [markdown]
# The unstripped model has {glue:text}`prune_unstripped_params_ratio:.2f`× the stripped
# model's parameters and takes {glue:text}`prune_unstripped_gzip_kib:.1f` KiB gzipped.
#
# ## Polynomial decay or constant sparsity?
#
# `ConstantSparsity` prunes to its target at `begin_step` in one go and then keeps the mask
# up to date. Starting from a trained model, both schedules end at the same sparsity; the
# gradual one gives the network time to adapt while weights disappear.

# %%
constant = prune_and_strip(tfmot.sparsity.keras.ConstantSparsity(
    target_sparsity=final_sparsity, begin_step=0, frequency=frequency))
constant.compile(loss=loss, metrics=["accuracy"])
constant_accuracy = constant.evaluate(split.x_test, split.y_test, verbose=0)[1]
constant_sparsity = compress.kernel_sparsity(constant)

# %% tags=["remove-input"]
report.record("prune", constant_accuracy=constant_accuracy,
              constant_sparsity=constant_sparsity)

# %%
report.table(pd.DataFrame({"schedule": ["PolynomialDecay", "ConstantSparsity"],
                           "kernel sparsity": [pruned_sparsity, constant_sparsity],
                           "test accuracy": [pruned_accuracy, constant_accuracy]}),
             index=False, digits=3)

# %% [markdown]
# On a model this over-sized, the two schedules end close together
# ({glue:text}`prune_accuracy:.3f` versus {glue:text}`prune_constant_accuracy:.3f`, at
# {glue:text}`prune_constant_sparsity:.1%` kernel sparsity); the gradual
# schedule matters more as the target sparsity approaches what the task can bear.
#
# ## Accuracy versus sparsity
#
# How far can we go? Each target below is reached with the same gradual schedule and
# fine-tuning. For comparison, the dashed line prunes the *baseline* in one shot, by
# magnitude, layer by layer, without any fine-tuning (`compress.magnitude_prune`).

# %%
def one_shot(sparsity: float):
    model = compress.trained_copy(baseline)
    model.set_weights([compress.magnitude_prune(w, sparsity) if w.ndim == 2 else w
                       for w in model.get_weights()])
    model.compile(loss=loss, metrics=["accuracy"])
    return model


TUNED, SHOT = "gradual + fine-tuning (TFMOT)", "one-shot, no fine-tuning"
rows = []
for target in sorted(sweep_sparsities):
    tf.keras.utils.set_random_seed(seed)
    if target == 0:
        tuned = compress.trained_copy(baseline)
    else:
        tuned = prune_and_strip(tfmot.sparsity.keras.PolynomialDecay(
            initial_sparsity=0.0, final_sparsity=target, begin_step=0,
            end_step=end_step, frequency=frequency))
    tuned.compile(loss=loss, metrics=["accuracy"])
    for method, model in ((TUNED, tuned), (SHOT, one_shot(target))):
        rows.append({"target": target, "method": method,
                     "measured sparsity": compress.kernel_sparsity(model),
                     "accuracy": model.evaluate(split.x_test, split.y_test,
                                                verbose=0)[1]})
sweep = pd.DataFrame(rows)
report.table(sweep.pivot(index="target", columns="method", values="accuracy"), digits=3)

# %% tags=["remove-cell"]
fig, ax = plots.subplots()
sns.lineplot(data=sweep, x="measured sparsity", y="accuracy", hue="method",
             style="method", markers=True, dashes={TUNED: "", SHOT: (4, 2)}, ax=ax)
ax.axhline(baseline_accuracy - 0.01, color="grey", lw=0.8, ls=":",
           label="baseline − 1 point")
ax.set(title="Test accuracy versus sparsity (exported kernels)",
       xlabel="fraction of kernel weights that are zero", ylabel="test accuracy")
ax.legend(loc="lower left")
report.figure("prune_sweep_fig", fig)

# %% [markdown]
# ```{glue:figure} prune_sweep_fig
# :alt: Test accuracy against measured kernel sparsity for gradual pruning with fine-tuning and for one-shot magnitude pruning; the fine-tuned curve stays near the baseline while the one-shot curve falls at high sparsity.
# :name: fig-prune-sweep
#
# Test accuracy against the sparsity measured in the exported kernels: gradual pruning
# with fine-tuning (solid) and one-shot magnitude pruning without it (dashed). The dotted
# line is one point below the float baseline.
# ```

# %% tags=["remove-input"]
tuned_curve = sweep[sweep["method"] == TUNED]
shot_curve = sweep[sweep["method"] == SHOT]
within_one_point = tuned_curve[tuned_curve["accuracy"] >= baseline_accuracy - 0.01]

# %% tags=["remove-input"]
report.record(
    "prune",
    sweep_max_sparsity_within_1pt=within_one_point["measured sparsity"].max(),
    sweep_sparsity_error=(tuned_curve["measured sparsity"]
                          - tuned_curve["target"]).abs().max(),
    sweep_tuned_accuracy_at_max=tuned_curve["accuracy"].iloc[-1],
    sweep_oneshot_accuracy_at_max=shot_curve["accuracy"].iloc[-1],
    sweep_max_target=tuned_curve["target"].iloc[-1])

# %% [markdown]
# Every measured sparsity is within {glue:text}`prune_sweep_sparsity_error:.4f` of its
# target, and with fine-tuning the model stays within one point of the baseline up to
# {glue:text}`prune_sweep_max_sparsity_within_1pt:.0%` sparsity. At
# {glue:text}`prune_sweep_max_target:.0%` the fine-tuned model scores
# {glue:text}`prune_sweep_tuned_accuracy_at_max:.3f`, the one-shot one
# {glue:text}`prune_sweep_oneshot_accuracy_at_max:.3f`: the fine-tuning, not the zeroing,
# is what makes pruning work.
#
# (ch05-compression-2by4)=
# ## 2:4 structured sparsity
#
# Unstructured zeros are hard for hardware to exploit. NVIDIA's sparse tensor cores
# (Ampere and later) skip zeros when *every group of four consecutive weights along the
# input dimension holds at most two non-zeros*. TFMOT prunes to that pattern with
# `sparsity_m_by_n=(2, 4)`; we then check every group of the exported kernels with
# `compress.m_by_n_violations`, and run the same check on the dense baseline to see that it
# can fail.

# %%
structured = prune_and_strip(sparsity_m_by_n=(2, 4))
structured.compile(loss=loss, metrics=["accuracy"])
m_by_n_accuracy = structured.evaluate(split.x_test, split.y_test, verbose=0)[1]
checks = pd.DataFrame([
    {"layer": layer.name, "kernel shape": str(tuple(layer.kernel.shape)),
     "groups of 4": int(np.prod(layer.kernel.shape)) // 4,
     "violations (pruned)": compress.m_by_n_violations(layer.kernel, 2, 4, axis=0),
     "violations (baseline)": compress.m_by_n_violations(dense.kernel, 2, 4, axis=0)}
    for layer, dense in zip(structured.layers, baseline.layers, strict=True)])
m_by_n_valid = all(compress.is_m_by_n(w, 2, 4)
                   for w in compress.kernel_weights(structured))
report.table(checks, index=False)

# %% tags=["remove-input"]
report.record("prune", m_by_n_valid=m_by_n_valid, m_by_n_accuracy=m_by_n_accuracy,
              m_by_n_sparsity=compress.kernel_sparsity(structured),
              baseline_m_by_n_violations=checks["violations (baseline)"].sum())

# %% [markdown]
# Every group of the pruned kernels satisfies 2:4 (sparsity
# {glue:text}`prune_m_by_n_sparsity:.1%`, accuracy {glue:text}`prune_m_by_n_accuracy:.3f`),
# while the dense baseline breaks the pattern in
# {glue:text}`prune_baseline_m_by_n_violations` groups. The
# 2:4 pattern is less free than unstructured pruning (exactly half the weights, in fixed
# places), which is the price for a speed-up on hardware that supports it; on a CPU it
# brings nothing but the zeros.
#
# (ch05-compression-strategy)=
# ## Error (4): pruning a model built under a strategy
#
# The source builds its model inside `MirroredStrategy().scope()`, trains it, and then prunes
# it *outside* the scope. The model's variables are `MirroredVariable`s (one copy per device),
# and the pruning wrapper, created outside the scope, cannot assign to them:

# %%
strategy = tf.distribute.MirroredStrategy()
print(f"{strategy.num_replicas_in_sync} replicas:",
      [d.split("/")[-1] for d in strategy.extended.worker_devices])
with strategy.scope():
    distributed = models.mlp(split.num_features, split.num_classes, width=256, depth=2)
    distributed.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
distributed.fit(split.x_train, split.y_train, epochs=strategy_epochs,
                batch_size=batch_size, verbose=0)

strategy_frequency, strategy_end = compress.pruning_steps(steps_per_epoch,
                                                          strategy_epochs)
strategy_schedule = tfmot.sparsity.keras.PolynomialDecay(
    initial_sparsity=0.0, final_sparsity=final_sparsity, begin_step=0,
    end_step=strategy_end, frequency=strategy_frequency)
try:
    tfmot.sparsity.keras.prune_low_magnitude(distributed,
                                             pruning_schedule=strategy_schedule)
    strategy_pitfall_error = False
except TypeError as err:
    strategy_pitfall_error = "MirroredVariable" in str(err)
    print("outside the scope ->", [line.strip() for line in str(err).splitlines()
                                   if "MirroredVariable" in line][0])

# %% tags=["remove-input"]
report.record("prune", strategy_pitfall_error=strategy_pitfall_error)

# %% [markdown]
# The fix is to wrap, compile and train inside the same scope. Everything else in the recipe
# is unchanged; the callback and `strip_pruning` work with the strategy:

# %%
with strategy.scope():
    distributed_pruning = tfmot.sparsity.keras.prune_low_magnitude(
        distributed, pruning_schedule=strategy_schedule)
    distributed_pruning.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
distributed_pruning.fit(split.x_train, split.y_train, epochs=strategy_epochs,
                        batch_size=batch_size, verbose=0,
                        callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
distributed_pruned = tfmot.sparsity.keras.strip_pruning(distributed_pruning)
strategy_accuracy = distributed_pruning.evaluate(split.x_test, split.y_test,
                                                 verbose=0)[1]

# %% tags=["remove-input"]
report.record("prune", strategy_sparsity=compress.kernel_sparsity(distributed_pruned),
              strategy_accuracy=strategy_accuracy)

# %% [markdown]
# Inside the scope the model trains to {glue:text}`prune_strategy_sparsity:.1%` kernel
# sparsity across both replicas. (With only {glue:text}`prune_strategy_accuracy:.3f` test
# accuracy after these few epochs from scratch, it is a demonstration of the mechanics, not a
# model to ship.)
#
# ## Summary
#
# * The API is `tfmot.sparsity.keras.prune_low_magnitude`; schedules take
#   `initial_sparsity`, `final_sparsity`, `begin_step`, `end_step` and `frequency`. With
#   the source's window shorter than `frequency` the exported kernels were
#   {glue:text}`prune_frequency_pitfall_sparsity:.1%` zero, and no error said so.
# * Train with `UpdatePruningStep`, export with `strip_pruning` (unstripped, the model
#   carries {glue:text}`prune_unstripped_params_ratio:.2f`× the parameters), and verify
#   the sparsity in the exported weights: {glue:text}`prune_sparsity:.1%` here, at test
#   accuracy {glue:text}`prune_accuracy:.3f` against {glue:text}`prune_baseline_accuracy:.3f`.
# * Fine-tuning is what makes pruning work: at {glue:text}`prune_sweep_max_target:.0%`
#   sparsity the fine-tuned model scored {glue:text}`prune_sweep_tuned_accuracy_at_max:.3f`,
#   one-shot zeroing {glue:text}`prune_sweep_oneshot_accuracy_at_max:.3f`.
# * A model built under a strategy is pruned inside that strategy's scope.
# * Sparsity alone shrinks the *compressed* file ({glue:text}`prune_gzip_ratio:.1f`× at
#   {glue:text}`prune_sparsity:.0%`), not the parameter count or the latency.
#   {ref}`ch05-compression-comparison` combines it with quantization and the other
#   techniques. (`PruningSummaries` can log the schedule to TensorBoard, which needs the
#   `tensorboard` package this book does not install.)
#
# ## Exercises
#
# 1. Set `final_sparsity = 0.98`. Where does the accuracy break, and does a longer
#    `finetune_epochs` recover it?
# 2. Re-run the frequency pitfall with `frequency=10`. Which steps update the mask now, and
#    what sparsity do you read from the exported weights?
# 3. Prune only the two hidden layers: pass `prune_low_magnitude` a *layer* inside a
#    `clone_model(..., clone_function=...)`. How does the gzip ratio change when the small
#    output layer stays dense?
# 4. Check the 2:4 pattern along `axis=1` instead of `axis=0`. Why does it fail there, and
#    which axis do sparse tensor cores need?
