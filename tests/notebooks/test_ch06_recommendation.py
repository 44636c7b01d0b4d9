"""Chapter 6, retail: the recommender on a parameter-server cluster whose tables are
sharded. One page run at small sizes, one variant at other sizes, another seed and three
parameter servers (unequal shards), each asserting every glued claim."""

import pytest

from nbtools import dump, run_page, run_variant

pytestmark = pytest.mark.notebook

REC = "notebooks/ch06/recommendation.ipynb"
REC_PARAMS = {
    "page": {"seed": 0, "num_users": 1500, "num_items": 600, "per_user": 30,
             "epochs": 4, "steps_per_epoch": 25, "global_batch_size": 1024},
    # 500 items over 3 servers: shards of 167, 167 and 166 rows
    "other": {"seed": 1, "num_users": 1200, "num_items": 500, "per_user": 30,
              "num_ps": 3, "epochs": 3, "steps_per_epoch": 25,
              "global_batch_size": 1024},
}
DEFAULTS = {"num_ps": 2, "embedding_dim": 16, "test_per_user": 5}


@pytest.fixture(scope="module")
def rec_page():
    return run_page(REC, REC_PARAMS["page"])


@pytest.fixture(scope="module")
def rec_other():
    return run_variant(REC, REC_PARAMS["other"], tag="seed1")


@pytest.fixture(scope="module", params=["page", "other"])
def rec(request):
    params = {**DEFAULTS, **REC_PARAMS[request.param]}
    return params, request.getfixturevalue(f"rec_{request.param}")


def test_model_beats_popularity_on_held_out_interactions(rec):
    _, g = rec
    assert g["rec_model_minus_popularity"] > 0.03, dump(g)
    assert g["rec_model_minus_popularity"] == pytest.approx(
        g["rec_recall10_model"] - g["rec_recall10_popularity"])
    assert g["rec_auc_model_minus_popularity"] > 0.02, dump(g)
    assert g["rec_auc_model_minus_popularity"] == pytest.approx(
        g["rec_auc_model"] - g["rec_auc_popularity"])
    # popularity is a real baseline: far better than chance (AUC 0.5, recall@10 10/items)
    assert g["rec_auc_popularity"] > 0.65, dump(g)
    assert 0.05 < g["rec_recall10_popularity"] < 0.5, dump(g)
    assert g["rec_auc_model"] < 1.0 and g["rec_recall10_model"] < 1.0


def test_generated_data_is_skewed(rec):
    params, g = rec
    assert g["rec_train_interactions"] == params["num_users"] * params["per_user"]
    # the top 10 % of items get several times their even share of the interactions
    assert g["rec_top10pct_item_share"] > 0.3, dump(g)


def test_each_parameter_server_holds_its_share_of_the_table(rec):
    params, g = rec
    dim, n_ps = params["embedding_dim"], params["num_ps"]
    table = 4 * (params["num_users"] * dim + params["num_items"] * (dim + 1))
    assert g["rec_table_bytes"] == table
    assert g["rec_num_ps"] == g["rec_shards_used"] == n_ps, dump(g)
    assert g["rec_shard_bytes_sum"] == table, dump(g)
    assert g["rec_shard_formula_max_abs_diff"] == 0, dump(g)
    # each shard is within one row of each table of an even split
    one_row_each = 4 * (dim + dim + 1)
    for key in ("rec_ps_shard_bytes", "rec_ps_shard_bytes_min"):
        assert abs(g[key] - table / n_ps) <= one_row_each, (key, dump(g))
    assert g["rec_largest_shard_over_even_split"] == pytest.approx(
        g["rec_ps_shard_bytes"] / (table / n_ps))
    assert 1.0 <= g["rec_largest_shard_over_even_split"] < 1.01
    # Adam's two slots per table live beside the shards: twice the weights per server
    assert g["rec_slot_bytes_per_ps_max"] == 2 * g["rec_ps_shard_bytes"], dump(g)


def test_training_ran_and_sharding_changed_nothing(rec):
    params, g = rec
    expected = params["epochs"] * params["steps_per_epoch"]
    assert g["rec_steps_completed"] == g["rec_steps_expected"] == expected, dump(g)
    assert g["rec_sharded_vs_local_max_abs_diff"] <= 1e-5, dump(g)


def test_sparse_updates_touch_few_rows(rec):
    params, g = rec
    assert g["rec_grad_is_indexed_slices"] is True
    assert g["rec_grad_rows_match_batch"] is True
    for key in ("rec_user_rows_touched", "rec_item_rows_touched",
                "rec_sparse_over_dense_bytes"):
        assert 0 < g[key] < 1, (key, dump(g))
    # smaller batches touch a smaller share; 32 examples touch at most 32 users
    assert g["rec_user_rows_touched_batch32"] < g["rec_user_rows_touched"], dump(g)
    assert g["rec_item_rows_touched_batch32"] < g["rec_item_rows_touched"], dump(g)
    assert g["rec_user_rows_touched_batch32"] <= 32 / params["num_users"]
    assert g["rec_item_rows_touched_batch32"] <= 32 / params["num_items"]


def test_adagrad_updates_only_the_batch_rows_and_adam_many_more(rec):
    _, g = rec
    assert g["rec_rows_changed_adagrad"] == pytest.approx(g["rec_rows_in_last_batch"])
    assert 0 < g["rec_rows_in_last_batch"] < 0.1, dump(g)
    # Adam moves every row an earlier batch gave a moment: the union of 11 batches
    assert g["rec_rows_changed_adam"] > 3 * g["rec_rows_changed_adagrad"], dump(g)
