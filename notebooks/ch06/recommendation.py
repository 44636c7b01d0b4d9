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
# (ch06-recommendation)=
# # Retail: a recommender whose embedding table is sharded across parameter servers
#
# The source's retail case (its §1.3) promises that scaling lets a retailer "process
# massive user-behaviour data and so provide more precise, personalized recommendations"
# (「在个性化推荐方面，通过模型Scaling，可以处理海量的用户行为数据，从而提供更精准、个性化的推荐服务」).
# A recommender is where the parameter servers of {ref}`ch05-distributed-ps` earn their
# keep: most of its parameters are **embedding tables**, one row per user and per item,
# and one training step reads and updates only the few rows its batch names. This page
# trains a matrix-factorization model {cite:p}`koren2009matrix` on implicit feedback
# {cite:p}`hu2008collaborative` with `ParameterServerStrategy`, its tables *partitioned*
# row-wise over the parameter servers, and measures:
#
# 1. ranking quality on held-out interactions (recall@k and AUC) against the baseline every
#    recommender must beat: recommending the most popular items;
# 2. the bytes each parameter server holds, against the whole table that a replicated
#    (all-reduce) design keeps on every worker;
# 3. how few rows one batch touches, which is why sparse updates suit a parameter server.
#
# Two limits, stated once. The whole cluster (workers and parameter servers) runs as
# servers **inside this notebook's process, on CPU**, exactly as in
# {ref}`ch05-distributed-ps`; it shows the placement and the protocol, not the speed of a
# real cluster. And the data are **generated** (`scalekit.recsys.generate_interactions`,
# described below), not a retailer's logs: no download, and we know what a model can learn.

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
seed = 0                   # every random draw follows from it
num_users = 6000           # rows of the user table
num_items = 2000           # rows of the item table
per_user = 30              # training interactions per user
test_per_user = 5          # held-out interactions per user
latent_dim = 2             # dimension of the generator's hidden tastes
affinity = 5.0             # weight of taste against popularity in the generator
embedding_dim = 16         # columns of each embedding table
num_workers = 2            # worker tasks of the in-process cluster
num_ps = 2                 # parameter-server tasks, one shard of each table each
epochs = 8                 # epochs of `fit`
steps_per_epoch = 40       # steps per epoch (the input repeats)
global_batch_size = 2048   # examples per step
learning_rate = 0.02       # Adam's step size

# %%
import numpy as np
import pandas as pd

from scalekit import compare, distribute, env, plots, recsys, report

tf = env.setup(seed=seed)
plots.set_theme()

# %% [markdown]
# ## Generated implicit feedback with a popularity skew
#
# Implicit feedback is what a shop logs without asking: a user viewed or bought an item
# (a positive), and everything else is unknown rather than disliked. The generator gives
# every item a popularity weight that falls as a power of its rank (a Zipf law, as sales
# do) and every user and item a hidden taste vector of `latent_dim` dimensions. Each user
# picks `per_user + test_per_user` distinct items with probability proportional to
# popularity × exp(`affinity` × taste match); `test_per_user` of them, chosen at random,
# are **held out** for evaluation. Item ids are shuffled, so an id says nothing about
# popularity.

# %%
interactions = recsys.generate_interactions(
    num_users, num_items, per_user=per_user, test_per_user=test_per_user,
    latent_dim=latent_dim, affinity=affinity, seed=seed)
counts = np.bincount(interactions.train[:, 1], minlength=num_items)
top = np.sort(counts)[::-1]
top_share = top[: num_items // 10].sum() / counts.sum()
print(f"{len(interactions.train):,} training and {len(interactions.test):,} held-out "
      f"interactions; the top 10% of items get {top_share:.1%} of them")

# %% tags=["remove-input"]
report.record("rec", train_interactions=len(interactions.train),
              top10pct_item_share=top_share)

# %% [markdown]
# The top 10 % of items receive {glue:text}`rec_top10pct_item_share:.1%` of the
# {glue:text}`rec_train_interactions:,` training interactions. That skew makes the
# popularity baseline strong: recommending the best sellers to everyone is already right
# fairly often, and a personalized model has to learn the popularity *and* each user's
# taste to beat it.
#
# The model sees each interaction as a positive example (label 1) and, for each one, an
# item drawn uniformly at random as a negative (label 0), the usual shortcut for implicit
# feedback.

# %%
users, items, labels = recsys.training_examples(interactions, negatives=1, seed=seed)
examples = {"user": users, "item": items}
print(f"{len(labels):,} training examples, {labels.mean():.0%} positive")

# %% [markdown]
# ## A cluster whose parameter servers split the tables
#
# The cluster is the one of {ref}`ch05-distributed-ps`: `tf.distribute.Server`s for the
# workers and the parameter servers, all in this process, on free local ports
# (`scalekit.distribute.in_process_cluster`, listed there). The one new argument is
# `variable_partitioner`: `FixedShardsPartitioner(num_ps)` splits every variable created
# in the strategy's scope into `num_ps` row blocks, and the strategy places block *k* on
# parameter server *k* (`MinSizePartitioner` would split only variables above a size).

# %%
servers, resolver = distribute.in_process_cluster(num_workers, num_ps)
partitioner = tf.distribute.experimental.partitioners.FixedShardsPartitioner(num_ps)
strategy = tf.distribute.ParameterServerStrategy(resolver,
                                                 variable_partitioner=partitioner)

# %% [markdown]
# The model is matrix factorization: a user row $w_u$ and an item row $v_i$ of
# `embedding_dim` numbers each, plus an item bias $b_i$ that can absorb popularity; the
# score is the logit $w_u \cdot v_i + b_i$, trained with binary cross-entropy, a small L2
# penalty on the rows a batch looks up, and Adam.
# Three `Embedding` tables, built inside the strategy's scope so that the partitioner
# splits each of them:
#
# ```{literalinclude} ../../scalekit/recsys.py
# :language: python
# :pyobject: mf_model
# :caption: scalekit/recsys.py, mf_model
# ```

# %%
with strategy.scope():
    model = recsys.mf_model(num_users, num_items, embedding_dim, l2=1e-4)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate),
                  loss=tf.keras.losses.BinaryCrossentropy(from_logits=True))
placement = pd.DataFrame({
    "variable": [v.name.removesuffix(":0") for v in model.variables],
    "parameter server": [v.device.split("/")[-2].replace("task:", "ps ")
                         for v in model.variables],
    "shape": [str(tuple(v.shape)) for v in model.variables],
    "bytes": [v.shape.num_elements() * v.dtype.size for v in model.variables]})
report.table(placement, index=False)

# %% [markdown]
# (ch06-recommendation-shards)=
# Every table arrives in `num_ps` parts (`part_0`, `part_1`, …), one per parameter
# server. Per server, and against the whole model that a replicated design (all-reduce,
# {ref}`ch05-distributed`) keeps on every worker:

# %%
per_ps = placement.groupby("parameter server")["bytes"].sum()
table_bytes = sum(n * width * 4 for n, width in [(num_users, embedding_dim),
                                                 (num_items, embedding_dim),
                                                 (num_items, 1)])
expected = np.sum([recsys.shard_bytes(n, width, num_ps) for n, width in
                   [(num_users, embedding_dim), (num_items, embedding_dim),
                    (num_items, 1)]], axis=0)
report.table(pd.DataFrame({"bytes held": per_ps, "by formula": expected,
                           "share of the table": per_ps / table_bytes}))

# %% tags=["remove-input"]
report.record("rec", ps_shard_bytes=per_ps.max(), ps_shard_bytes_min=per_ps.min(),
              table_bytes=table_bytes, shard_bytes_sum=per_ps.sum(), num_ps=num_ps,
              shards_used=per_ps.size,
              shard_formula_max_abs_diff=compare.max_abs_diff(per_ps.values, expected),
              largest_shard_over_even_split=per_ps.max() / (table_bytes / num_ps))

# %% [markdown]
# Each of the {glue:text}`rec_num_ps` parameter servers holds at most
# {glue:text}`rec_ps_shard_bytes:,` bytes of the {glue:text}`rec_table_bytes:,`-byte
# model ({glue:text}`rec_largest_shard_over_even_split:.4f` times an even split), the
# shards add up to {glue:text}`rec_shard_bytes_sum:,` bytes, and the bytes per server
# match the row-split formula (`scalekit.recsys.shard_bytes`) to
# {glue:text}`rec_shard_formula_max_abs_diff:.0f` bytes. A replicated design would keep
# all {glue:text}`rec_table_bytes:,` bytes on *every* worker; here, adding parameter
# servers divides the table.
#
# ## Training with the coordinator
#
# As in chapter 5, `fit` drives a `ClusterCoordinator` that hands steps to whichever
# worker is free; each worker reads its own copy of the input pipeline, looks up the rows
# its batch names on the parameter servers, and sends back their gradients.

# %%
def dataset_fn(context: tf.distribute.InputContext) -> tf.data.Dataset:
    """Each worker's pipeline: its own shard and shuffle order, repeated forever."""
    batch = context.get_per_replica_batch_size(global_batch_size)
    ds = tf.data.Dataset.from_tensor_slices((examples, labels))
    ds = ds.shard(context.num_input_pipelines, context.input_pipeline_id)
    return ds.shuffle(8192, seed=seed).repeat().batch(batch).prefetch(2)


history = model.fit(tf.keras.utils.experimental.DatasetCreator(dataset_fn),
                    epochs=epochs, steps_per_epoch=steps_per_epoch, verbose=0)
steps_done = int(model.optimizer.iterations.numpy())
report.table(pd.DataFrame(history.history).rename_axis("epoch"), digits=3)

# %% [markdown]
# The steps are asynchronous: a worker applies its gradients to whatever the rows hold when
# it finishes, possibly after the other worker has changed them (see
# {ref}`ch05-distributed-ps`). The optimizer's state lives on the parameter servers too:

# %%
slot_parts = [(p.device, p.shape.num_elements() * p.dtype.size)
              for s in model.optimizer.variables() if hasattr(s, "variables")
              for p in s.variables]
slots = pd.DataFrame(slot_parts, columns=["device", "bytes"])
slot_per_ps = slots.groupby("device")["bytes"].sum()
print(slot_per_ps.rename(lambda d: d.split("/")[-2].replace("task:", "ps ")))

# %% tags=["remove-input"]
report.record("rec", slot_bytes_per_ps_max=slot_per_ps.max())

# %% [markdown]
# Each parameter server also holds {glue:text}`rec_slot_bytes_per_ps_max:,` bytes of
# Adam's moment slots, created at the first step as sharded variables beside their
# tables: twice its share of the weights, as both slots have the table's shape.
#
# To score every user against every item we gather the shards into ordinary arrays
# (`tf.convert_to_tensor` of a sharded variable concatenates its parts) and copy them
# into an unsharded model. First, a check that sharding changed nothing: the sharded
# model, called from the coordinator, and the copy must give the same logits.

# %%
local = recsys.mf_model(num_users, num_items, embedding_dim)
for name in ("user_embedding", "item_embedding", "item_bias"):
    table = tf.convert_to_tensor(model.get_layer(name).embeddings).numpy()
    local.get_layer(name).set_weights([table])
probe = {k: v[:512] for k, v in examples.items()}
sharded_vs_local = compare.max_abs_diff(model(probe), local(probe))
user_table = local.get_layer("user_embedding").get_weights()[0]
item_table = local.get_layer("item_embedding").get_weights()[0]
item_bias = local.get_layer("item_bias").get_weights()[0]
model_scores = user_table @ item_table.T + item_bias.T
print(f"sharded vs copied model: max |Δ logit| = {sharded_vs_local:.2e}")

# %% tags=["remove-input"]
report.record("rec", sharded_vs_local_max_abs_diff=sharded_vs_local,
              steps_completed=steps_done, steps_expected=epochs * steps_per_epoch)

# %% [markdown]
# The coordinator ran {glue:text}`rec_steps_completed` of the
# {glue:text}`rec_steps_expected` steps, and the sharded and copied models agree to
# {glue:text}`rec_sharded_vs_local_max_abs_diff:.1e` in the logit.
#
# (ch06-recommendation-quality)=
# ## Does it beat popularity?
#
# For each user we rank every item the user has not interacted with in training and ask
# where the held-out items land. **Recall@k** is the share of a user's held-out items
# among the top *k*; **AUC** is the chance that a held-out item outranks an item the user
# never touched. The popularity baseline ranks by training counts, the same list for
# everyone.

# %%
ks = [1, 5, 10, 20, 50, 100]
pop_scores = recsys.popularity_scores(interactions)
recall = pd.DataFrame({
    "matrix factorization": recsys.recall_at_k(model_scores, interactions, ks),
    "popularity": recsys.recall_at_k(pop_scores, interactions, ks)}).rename_axis("k")
auc = {"matrix factorization": recsys.ranking_auc(model_scores, interactions),
       "popularity": recsys.ranking_auc(pop_scores, interactions)}
report.table(recall, digits=3)

# %% tags=["remove-input"]
report.record(
    "rec", recall10_model=recall.loc[10, "matrix factorization"],
    recall10_popularity=recall.loc[10, "popularity"],
    model_minus_popularity=recall.loc[10, "matrix factorization"]
    - recall.loc[10, "popularity"],
    auc_model=auc["matrix factorization"], auc_popularity=auc["popularity"],
    auc_model_minus_popularity=auc["matrix factorization"] - auc["popularity"])

# %% [markdown]
# On the held-out interactions the model's recall@10 is
# {glue:text}`rec_recall10_model:.3f` against {glue:text}`rec_recall10_popularity:.3f`
# for popularity, a gain of {glue:text}`rec_model_minus_popularity:+.3f`; its AUC is
# {glue:text}`rec_auc_model:.3f` against {glue:text}`rec_auc_popularity:.3f`
# ({glue:text}`rec_auc_model_minus_popularity:+.3f`). The figure shows the skew the
# baseline exploits and recall at every *k*.

# %% tags=["remove-cell"]
fig, (ax_skew, ax_recall) = plots.subplots(2)
ax_skew.loglog(np.arange(1, num_items + 1), np.maximum(top, 0.5), color="C2")
ax_skew.set(title="Popularity skew", xlabel="item rank by training count",
            ylabel="training interactions")
for column, colour in zip(recall.columns, ("C0", "C1"), strict=True):
    ax_recall.plot(recall.index, recall[column], marker="o", color=colour, label=column)
ax_recall.set(title="Held-out recall@k", xlabel="k (items recommended)",
              ylabel="recall@k", xscale="log")
ax_recall.legend()
report.figure("rec_recall_fig", fig)

# %% [markdown]
# ```{glue:figure} rec_recall_fig
# :alt: Left, training interactions per item against its rank on log-log axes, a steep falling curve. Right, held-out recall@k against k from 1 to 100 for matrix factorization and the popularity baseline; both rise with k and the model's curve lies above the baseline's.
# :name: fig-rec-recall
#
# Left: interactions per item by rank, the skew the popularity baseline exploits. Right:
# held-out recall@k of the sharded matrix-factorization model and of popularity.
# ```

# %% [markdown]
# (ch06-recommendation-sparse)=
# ## Why sparse updates suit a parameter server
#
# A batch names a few users and items; the gradient of the loss with respect to an
# embedding table is zero in every other row. TensorFlow represents it as
# `tf.IndexedSlices` (the row indices and those rows only), and the parameter server
# applies it to those rows. We take one batch's gradient on the copied model:

# %%
batch = {k: v[:global_batch_size] for k, v in examples.items()}
loss_fn = tf.keras.losses.BinaryCrossentropy(from_logits=True)
with tf.GradientTape() as tape:
    loss = loss_fn(labels[:global_batch_size, None], local(batch))
grad = tape.gradient(loss, local.get_layer("item_embedding").embeddings)
rows_in_grad = np.unique(grad.indices.numpy()).size
print(type(grad).__name__, f"{rows_in_grad} distinct rows of {num_items}")

# %% [markdown]
# Over every batch of an epoch, the share of each table's rows a step touches:

# %%
user_touched = recsys.rows_touched(users, num_users, global_batch_size)
item_touched = recsys.rows_touched(items, num_items, global_batch_size)
row_bytes = embedding_dim * 4
sparse_bytes = (user_touched.mean() * num_users * row_bytes
                + item_touched.mean() * num_items * (row_bytes + 4))
report.table(pd.DataFrame({"rows touched per batch (mean)": [user_touched.mean(),
                                                             item_touched.mean()],
                           "table rows": [num_users, num_items]},
                          index=["user table", "item table"]), digits=3)

# %% tags=["remove-input"]
report.record(
    "rec", grad_is_indexed_slices=type(grad).__name__ == "IndexedSlices",
    grad_rows_match_batch=rows_in_grad == np.unique(batch["item"]).size,
    user_rows_touched=user_touched.mean(), item_rows_touched=item_touched.mean(),
    sparse_over_dense_bytes=sparse_bytes / table_bytes)

# %% [markdown]
# The item-table gradient is an `IndexedSlices`
# ({glue:text}`rec_grad_is_indexed_slices`) holding exactly the batch's distinct items
# ({glue:text}`rec_grad_rows_match_batch`). A batch touches
# {glue:text}`rec_user_rows_touched:.1%` of the user rows
# and {glue:text}`rec_item_rows_touched:.1%` of the item rows, so a worker pulls and
# pushes {glue:text}`rec_sparse_over_dense_bytes:.1%` of the bytes a dense update would
# move. An all-reduce of dense gradients would move the whole table every step, and
# every worker would hold all of it.
#
# Sparse *traffic* is not always sparse *work* on the server, where each variable's update
# runs. Adagrad, the optimizer of DistBelief's parameter servers {cite:p}`dean2012large`,
# changes only the rows named in the gradient. Keras's Adam, used here, first decays its
# two moment estimates in *every* row and then moves every row whose moment is not zero,
# so once enough batches have passed it rewrites the whole table at every step. We measure it on
# copies of the trained model: a few steps with small batches to fill the optimizer's
# state, then the share of item rows that one more step changes.

# %%
warmup, small_batch = 10, 32


def rows_changed(optimizer, batch_size: int = small_batch) -> float:
    """Share of item rows that step warmup + 1 changes (batches of batch_size)."""
    copy = recsys.mf_model(num_users, num_items, embedding_dim)
    copy.set_weights(local.get_weights())
    table = copy.get_layer("item_embedding").embeddings
    for step in range(warmup + 1):
        before = table.numpy()
        part = slice(step * batch_size, (step + 1) * batch_size)
        with tf.GradientTape() as tape:
            loss = loss_fn(labels[part, None], copy({k: v[part] for k, v in
                                                     examples.items()}))
        grads = tape.gradient(loss, copy.trainable_variables)
        optimizer.apply_gradients(zip(grads, copy.trainable_variables, strict=True))
    return float(np.mean(np.any(table.numpy() != before, axis=1)))


changed = {"Adagrad": rows_changed(tf.keras.optimizers.Adagrad(learning_rate)),
           "Adam": rows_changed(tf.keras.optimizers.Adam(learning_rate))}
last_batch = items[warmup * small_batch:(warmup + 1) * small_batch]
print({k: f"{v:.1%}" for k, v in changed.items()},
      f"rows in the last batch: {np.unique(last_batch).size / num_items:.1%}")

# %% tags=["remove-input"]
report.record("rec", rows_changed_adagrad=changed["Adagrad"],
              rows_changed_adam=changed["Adam"],
              rows_in_last_batch=np.unique(last_batch).size / num_items)

# %% [markdown]
# One step of 32 examples changed {glue:text}`rec_rows_changed_adagrad:.1%` of the item
# rows under Adagrad, exactly the rows the batch names
# ({glue:text}`rec_rows_in_last_batch:.1%`), and {glue:text}`rec_rows_changed_adam:.1%`
# under Adam, which also moves every row an earlier batch touched. At production scale a
# parameter server therefore pairs embedding tables with a row-wise optimizer (Adagrad,
# SGD, or a "lazy" Adam that updates only the rows in the gradient); the rest of the model
# can keep Adam.
#
# At this toy size a batch still covers a sizeable share of the item table, because it
# holds about as many examples as the table has rows (popular items, which recur, keep the
# share below that ratio). The share falls with the ratio of batch to table:

# %%
sizes = sorted({32, 128, 512, global_batch_size})
touched = pd.DataFrame(
    {"user rows": [recsys.rows_touched(users, num_users, b).mean() for b in sizes],
     "item rows": [recsys.rows_touched(items, num_items, b).mean() for b in sizes]},
    index=pd.Index(sizes, name="batch size"))
report.table(touched, digits=3)

# %% tags=["remove-input"]
report.record("rec", item_rows_touched_batch32=touched.loc[32, "item rows"],
              user_rows_touched_batch32=touched.loc[32, "user rows"])

# %% [markdown]
# A batch of 32 touches {glue:text}`rec_user_rows_touched_batch32:.2%` of the user rows
# and {glue:text}`rec_item_rows_touched_batch32:.1%` of the item rows. In production the
# tables have 10⁸ or more rows and
# a batch some 10⁴ examples, so a step touches at most 10⁻⁴ of them: the regime of the
# parameter server of {cite:t}`li2014scaling`, where the tables no longer fit one machine
# and sparse pulls and pushes are the only traffic. The price of asynchronous steps
# (stale rows, see {ref}`ch05-distributed-ps`) is small when two workers rarely update
# the same row at once, except for the hottest items.
#
# ## Summary
#
# * On generated implicit feedback with a Zipf popularity skew (the top 10 % of items get
#   {glue:text}`rec_top10pct_item_share:.1%` of interactions), matrix factorization trained
#   with `ParameterServerStrategy` beat the popularity baseline on held-out interactions:
#   recall@10 {glue:text}`rec_recall10_model:.3f` against
#   {glue:text}`rec_recall10_popularity:.3f` ({glue:text}`rec_model_minus_popularity:+.3f`),
#   AUC {glue:text}`rec_auc_model:.3f` against {glue:text}`rec_auc_popularity:.3f`.
# * `variable_partitioner=FixedShardsPartitioner(num_ps)` split each table row-wise: each
#   of {glue:text}`rec_num_ps` parameter servers held at most
#   {glue:text}`rec_ps_shard_bytes:,` of the {glue:text}`rec_table_bytes:,` bytes that a
#   replicated design keeps on every worker, plus its slice of Adam's slots.
# * Sharding did not change the model: sharded and copied logits agree to
#   {glue:text}`rec_sharded_vs_local_max_abs_diff:.1e`.
# * A step touched {glue:text}`rec_user_rows_touched:.1%` of the user rows and
#   {glue:text}`rec_item_rows_touched:.1%` of the item rows; embedding gradients are
#   `IndexedSlices`, and sparse pulls and pushes are why parameter servers suit
#   recommenders. On the server, one small step changed
#   {glue:text}`rec_rows_changed_adagrad:.1%` of the item rows under Adagrad and
#   {glue:text}`rec_rows_changed_adam:.1%` under Keras's Adam.
#
# ## Exercises
#
# 1. Set `affinity = 0.0`: the users have no taste beyond popularity. What happens to
#    `rec_model_minus_popularity`, and why is that the right answer?
# 2. Replace `FixedShardsPartitioner(num_ps)` with
#    `MinSizePartitioner(min_shard_bytes=64 * 1024, max_shards=num_ps)`. Which variables
#    stay whole, and on which server?
# 3. Relabel the items by popularity rank (the most popular item gets id 0, using
#    `interactions.popularity`) and count, per parameter server, the item lookups of one
#    epoch. Why do production systems hash ids before sharding?
