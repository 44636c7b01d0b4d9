import numpy as np
import pytest

from scalekit import charlm, env, training
from scalekit import corpus as corpus_mod

tf = env.setup(seed=0)


def test_checkpoint_steps_are_log_spaced_and_end_at_steps():
    steps = training.checkpoint_steps(2048, 12)
    assert steps[-1] == 2048 and steps[0] == 16
    assert steps == sorted(set(steps))
    assert training.checkpoint_steps(5, 3) == [5]
    assert training.checkpoint_steps(300, 1) == [300]
    with pytest.raises(ValueError, match="steps"):
        training.checkpoint_steps(0, 3)
    with pytest.raises(ValueError, match="evaluations"):
        training.checkpoint_steps(10, 0)
    with pytest.raises(TypeError, match="first"):
        training.checkpoint_steps(10, 2, first=1.5)


@pytest.fixture(scope="module")
def corpus():
    return corpus_mod.load_corpus(context=8, heldout_windows=512, seed=0,
                                  max_train_chars=200_000)


def test_training_is_repeatable_and_learns(corpus):
    def once():
        tf.keras.utils.set_random_seed(3)
        model = charlm.char_mlp(8, context=8)
        frame, losses = training.train_char_mlp(model, corpus, steps=20, batch_size=64,
                                                evaluations=2, seed=5)
        assert list(frame.columns) == ["step", "D", "loss", "train_loss"]
        assert list(frame["step"]) == [16, 20] and list(frame["D"]) == [16 * 64, 20 * 64]
        assert losses.shape == (512,)
        assert frame["loss"].iloc[-1] == pytest.approx(losses.mean(), rel=1e-6)
        return frame["loss"].to_numpy()

    first = once()
    assert np.allclose(first, once(), rtol=1e-5)
    assert first[-1] < np.log(97)  # better than a uniform guess after 20 steps


@pytest.mark.parametrize("kwargs, err, match", [
    ({"learning_rate": 0.0}, ValueError, "learning_rate"),
    ({"learning_rate": "fast"}, TypeError, "learning_rate"),
    ({"steps": 0}, ValueError, "steps"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"evaluations": 0}, ValueError, "evaluations"),
    ({"seed": -1}, ValueError, "seed")])
def test_train_char_mlp_bad_input(corpus, kwargs, err, match):
    args = {"steps": 2, **kwargs}
    with pytest.raises(err, match=match):
        training.train_char_mlp(charlm.char_mlp(8, context=8), corpus, **args)


def test_train_char_mlp_bad_model_or_corpus(corpus):
    with pytest.raises(TypeError, match="model"):
        training.train_char_mlp("mlp", corpus, steps=2)
    with pytest.raises(TypeError, match="corpus"):
        training.train_char_mlp(charlm.char_mlp(8, context=8), corpus.train_ids, steps=2)
