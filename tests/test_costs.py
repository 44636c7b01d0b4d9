import numpy as np
import pytest

from scalekit import costs, env

tf = env.setup(seed=0)
from scalekit.transformer import TinyGPT, greedy_decode, train_tiny_gpt  # noqa: E402

# --- formulas: known values ---------------------------------------------------------------

def test_param_count_by_hand_for_a_tiny_configuration():
    # V=10, d=4, L=1, n_ctx=3: embeddings 40 + 12, block 12·16 + 13·4 = 244,
    # final norm 8, output layer 4·10 + 10 = 50
    parts = costs.param_count(vocab_size=10, d_model=4, n_layers=1, context=3)
    assert parts == {"token_embedding": 40, "position_embedding": 12, "blocks": 244,
                     "final_norm": 8, "output_layer": 50, "non_embedding": 252,
                     "total": 354}


def test_non_embedding_params_of_gpt3_is_close_to_175b():
    n = costs.non_embedding_params(d_model=12288, n_layers=96)
    assert n == 96 * (12 * 12288**2 + 13 * 12288) + 2 * 12288
    assert n == pytest.approx(173.95e9, rel=1e-3)        # 12·L·d² ≈ 174.0e9


@pytest.mark.parametrize("v, d, layers, heads, n", [
    (97, 16, 1, 1, 32), (256, 48, 3, 6, 128), (1000, 32, 2, 2, 16)])
def test_param_count_equals_keras(v, d, layers, heads, n):
    model = TinyGPT(vocab_size=v, d_model=d, n_layers=layers, n_heads=heads,
                    context=n).build_weights()
    parts = costs.param_count(vocab_size=v, d_model=d, n_layers=layers, context=n)
    assert model.count_params() == parts["total"]


def test_forward_flops_terms():
    f = costs.forward_flops(vocab_size=100, d_model=8, n_layers=2, context=16)
    assert f["weights"] == 2 * (2 * 12 * 64 + 800)
    assert f["attention"] == 4 * 2 * 16 * 8
    assert f["total"] == f["weights"] + f["attention"]
    assert costs.kaplan_forward_flops(n_params=1000, n_layers=2, context=16,
                                      d_attn=8) == 2000 + 2 * 2 * 16 * 8


def test_activation_and_state_formulas():
    assert costs.activation_values(d_model=64, n_heads=4, context=64) == 26 * 64 + 256 + 6
    assert costs.korthikanti_activation_values(d_model=64, n_heads=4,
                                               context=64) == 16 * 64 + 256
    # Korthikanti et al. eq. 1: s·b·h·(34 + 5as/h) bytes at 2 bytes per value
    assert costs.korthikanti_activation_values(
        d_model=64, n_heads=4, context=64, dropout=True) == (34 * 64 + 5 * 4 * 64) / 2
    state = costs.training_state_bytes(1000)
    assert state["total"] == 16_000 and state["optimizer"] == 8000
    assert costs.training_state_bytes(10, weight_bytes=2, grad_bytes=2,
                                      master_bytes=4)["total"] == 160


def test_kv_cache_bytes():
    # LLaMA-7B in fp16: 2 · 32 · 4096 · 2 bytes = 524,288 bytes per token
    assert costs.kv_cache_bytes(n_layers=32, d_model=4096) == 524_288
    assert costs.kv_cache_bytes(n_layers=2, d_model=8, tokens=3, batch=2,
                                bytes_per_value=4) == 2 * 2 * 8 * 4 * 6
    assert costs.kv_cache_bytes(n_layers=1, d_model=8, kv_heads_fraction=0.25) == 8


@pytest.mark.parametrize("call, match, err", [
    (lambda: costs.param_count(vocab_size=0, d_model=4, n_layers=1, context=3),
     "vocab_size", ValueError),
    (lambda: costs.param_count(vocab_size=4, d_model=4.0, n_layers=1, context=3),
     "d_model", TypeError),
    (lambda: costs.forward_flops(vocab_size=4, d_model=4, n_layers=0, context=3),
     "n_layers", ValueError),
    (lambda: costs.activation_values(d_model=4, n_heads=1, context=-1), "context",
     ValueError),
    (lambda: costs.korthikanti_activation_values(d_model=4, n_heads=1, context=2,
                                                 dropout=1), "dropout", TypeError),
    (lambda: costs.training_state_bytes(10, grad_bytes=-1), "grad_bytes", ValueError),
    (lambda: costs.kv_cache_bytes(n_layers=1, d_model=4, kv_heads_fraction=2),
     "kv_heads_fraction", ValueError),
    (lambda: costs.graph_flops("graph"), "graph", TypeError),
    (lambda: costs.kept_activations(3), "graph", TypeError)])
def test_bad_arguments_are_named(call, match, err):
    with pytest.raises(err, match=match):
        call()


# --- TensorFlow's own counts --------------------------------------------------------------

def _tiny(d=16, heads=2, n=8, layers=1):
    return TinyGPT(vocab_size=11, d_model=d, n_layers=layers, n_heads=heads,
                   context=n).build_weights()


def test_graph_flops_of_matrix_products_equal_the_formula():
    model = _tiny()
    graph = tf.function(lambda x: model(x)).get_concrete_function(
        tf.TensorSpec([1, 8], tf.int32)).graph
    counted = costs.graph_flops(graph)
    matmul = counted[counted.index.str.contains("MatMul")].sum()
    assert matmul == 8 * costs.forward_flops(vocab_size=11, d_model=16, n_layers=1,
                                             context=8)["total"]
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    assert tf.compat.v1.profiler.profile(graph, options=options).total_float_ops == \
        counted.sum()


def test_kept_activations_of_one_block_match_the_formula():
    model = _tiny(d=16, heads=2, n=8, layers=2)

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
        return tape.gradient(loss, model.trainable_variables)

    graph = step.get_concrete_function(tf.TensorSpec([3, 8], tf.int32)).graph
    kept = costs.kept_activations(graph)
    assert set(kept.columns) == {"tensor", "op", "values", "bytes"}
    assert (kept["bytes"] == 4 * kept["values"]).all()
    for i in range(2):
        values = kept[kept["tensor"].str.contains(f"/block{i}/")]["values"].sum()
        assert values == 3 * 8 * costs.activation_values(d_model=16, n_heads=2, context=8)


# --- the model, training and decoding ------------------------------------------------------

def test_model_rejects_bad_configuration():
    with pytest.raises(ValueError, match="n_heads"):
        TinyGPT(vocab_size=11, d_model=10, n_layers=1, n_heads=3, context=4)
    with pytest.raises(TypeError, match="context"):
        TinyGPT(vocab_size=11, d_model=8, n_layers=1, n_heads=2, context=4.0)


def test_greedy_decode_with_and_without_cache_agree():
    model = _tiny(n=16)
    prompt = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32)
    a, steps_a = greedy_decode(model, prompt, 10, use_cache=True)
    b, steps_b = greedy_decode(model, prompt, 10, use_cache=False)
    assert a.shape == (2, 13) and np.array_equal(a, b)
    assert list(steps_a["length"]) == list(range(4, 14)) == list(steps_b["length"])
    assert (steps_a["seconds"] > 0).all()
    with pytest.raises(ValueError, match="new_tokens"):
        greedy_decode(model, prompt, 14, use_cache=True)
    with pytest.raises(TypeError, match="use_cache"):
        greedy_decode(model, prompt, 2, use_cache=1)
    with pytest.raises(ValueError, match="prompt"):
        greedy_decode(model, prompt[0], 2, use_cache=True)


def test_training_lowers_the_loss():
    rng = np.random.default_rng(0)
    ids = np.tile(np.arange(11, dtype=np.int32), 200)          # a perfectly periodic text
    held = np.stack([ids[s:s + 9] for s in rng.integers(0, 1000, 16)])
    model = _tiny(n=8)
    _, before = train_tiny_gpt(model, ids, held, steps=1, learning_rate=1e-9)
    _, after = train_tiny_gpt(model, ids, held, steps=150, batch_size=16,
                              learning_rate=1e-2)
    assert after.shape == (16,) and after.mean() < 0.5 * before.mean()
    with pytest.raises(ValueError, match="heldout_windows"):
        train_tiny_gpt(model, ids, held[:, :5], steps=1)
    with pytest.raises(ValueError, match="learning_rate"):
        train_tiny_gpt(model, ids, held, steps=1, learning_rate=0)
