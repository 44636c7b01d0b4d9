"""Chapter 11: in-graph training loop versus a Python loop over a compiled step.

Run by hand: ``python benchmarks/ch11_training_loop.py``. Prints steps per second of

* baseline: a ``tf.function`` train step called from a Python ``for`` loop, batches sliced
  in NumPy and fed in;
* in-graph: ``scalekit.training.train_char_mlp`` (batches drawn and the loop run inside one
  ``tf.function`` call),

and the ratio, both measured in this run on the same model and corpus.
"""

from __future__ import annotations

import time

import numpy as np

from scalekit import charlm, env, training
from scalekit.corpus import Corpus, load_corpus

STEPS, BATCH, WIDTH, CONTEXT = 2000, 512, 8, 16


def python_loop(tf, corpus: Corpus) -> float:
    model = charlm.char_mlp(WIDTH, context=CONTEXT)
    optimizer = tf.keras.optimizers.Adam(2e-3)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    rng = np.random.default_rng(0)
    ids = corpus.train_ids
    offsets = np.arange(CONTEXT + 1)

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    def batch():
        w = ids[rng.integers(0, len(ids) - CONTEXT - 1, BATCH)[:, None] + offsets]
        return w[:, :CONTEXT], w[:, CONTEXT]

    step(*batch())  # trace once
    start = time.perf_counter()
    for _ in range(STEPS):
        step(*batch())
    return STEPS / (time.perf_counter() - start)


def in_graph(corpus: Corpus) -> float:
    model = charlm.char_mlp(WIDTH, context=CONTEXT)
    training.train_char_mlp(model, corpus, steps=2, batch_size=BATCH, evaluations=1)  # trace
    model = charlm.char_mlp(WIDTH, context=CONTEXT)
    start = time.perf_counter()
    training.train_char_mlp(model, corpus, steps=STEPS, batch_size=BATCH, evaluations=1)
    return STEPS / (time.perf_counter() - start)


def main() -> None:
    tf = env.setup(seed=0)
    corpus = load_corpus(context=CONTEXT, heldout_windows=1024)
    base = python_loop(tf, corpus)
    fast = in_graph(corpus)
    print(f"python loop: {base:8.1f} steps/s")
    print(f"in-graph:    {fast:8.1f} steps/s (includes one held-out evaluation and tracing)")
    print(f"ratio in-graph / python loop: {fast / base:.2f}")


if __name__ == "__main__":
    main()
