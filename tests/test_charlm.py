import pytest

from scalekit import charlm, env
from scalekit.data import VOCAB

tf = env.setup(seed=0)


@pytest.mark.parametrize("width, context, embed_dim", [(4, 16, 16), (32, 8, 4)])
def test_char_mlp_counts_non_embedding_params(width, context, embed_dim):
    model = charlm.char_mlp(width, context=context, embed_dim=embed_dim)
    assert model.output_shape == (None, len(VOCAB))
    embedding = len(VOCAB) * embed_dim
    n = charlm.non_embedding_params(width, context=context, embed_dim=embed_dim)
    assert model.count_params() - embedding == n
    assert n == context * embed_dim * width + width + width * len(VOCAB) + len(VOCAB)
    assert model.get_layer("embedding").count_params() == embedding


@pytest.mark.parametrize("kwargs, err, match", [
    ({"width": 0}, ValueError, "width"),
    ({"width": 4, "context": 0}, ValueError, "context"),
    ({"width": 4, "embed_dim": -1}, ValueError, "embed_dim"),
    ({"width": 4, "vocab_size": 2.0}, TypeError, "vocab_size"),
    ({"width": 4.5}, TypeError, "width")])
def test_char_mlp_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        charlm.char_mlp(**kwargs)
    with pytest.raises(err, match=match):
        charlm.non_embedding_params(**kwargs)


def test_char_mlp_bad_name():
    with pytest.raises(TypeError, match="name"):
        charlm.char_mlp(4, name=3)
