"""Forests scored by bit masks agree with a walk down every tree."""

from dataclasses import replace

import numpy as np
import pytest

from ingest.cleaning.line_model import load_model
from ingest.cleaning.trees import Forest, from_lightgbm


def random_forest(rng: np.random.Generator, trees: int, max_leaves: int, width: int) -> Forest:
    """A forest of random, unbalanced trees: some of one leaf, some as deep as they come."""

    def grow(leaves: int) -> dict:
        if leaves == 1:
            return {"leaf_value": float(rng.normal())}
        on_left = int(rng.integers(1, leaves))
        return {
            "split_feature": int(rng.integers(width)),
            "threshold": float(rng.normal()),
            "left_child": grow(on_left),
            "right_child": grow(leaves - on_left),
        }

    sizes = rng.integers(1, max_leaves + 1, size=trees).tolist()
    dump = {"tree_info": [{"tree_structure": grow(leaves)} for leaves in sizes]}
    return replace(from_lightgbm(dump), base=0.25)


@pytest.mark.parametrize("max_leaves", [1, 2, 7, 8, 9, 16, 17, 40, 64])
def test_bit_masks_find_the_leaf_a_walk_finds(max_leaves):
    rng = np.random.default_rng(max_leaves)
    forest = random_forest(rng, trees=30, max_leaves=max_leaves, width=6)
    x = rng.normal(size=(5000, 6)).astype(np.float32)
    x[::7, 2] = np.nan  # a missing value goes right, as the walk sends it
    x[::11, 3] = forest.threshold[forest.feature == 3][:1] if (forest.feature == 3).any() else 0
    assert np.allclose(forest.raw(x), forest.walk(x), rtol=0, atol=1e-9)


def chain(leaves: int) -> Forest:
    """One tree whose splits each send a leaf right and the rest left."""
    splits = leaves - 1
    nodes = np.arange(2 * splits + 1, dtype=np.int32)
    left = np.where(nodes < splits, nodes + 1, nodes)  # split i -> split i + 1 (or the last leaf)
    right = np.where(nodes < splits, splits + 1 + nodes, nodes)  # split i -> its own leaf
    left[splits - 1] = splits
    return Forest(
        feature=np.zeros(len(nodes), dtype=np.int32),
        threshold=np.where(nodes < splits, nodes, np.inf).astype(np.float32),
        left=left,
        right=right,
        value=nodes.astype(np.float32),
        roots=np.zeros(1, dtype=np.int32),
        depth=splits,
    )


def test_a_tree_of_64_leaves_is_scored_and_one_of_65_refused():
    x = np.arange(-1, 70, dtype=np.float32)[:, None]
    deep = chain(64)
    assert deep.raw(x).tolist() == deep.walk(x).tolist()
    with pytest.raises(ValueError, match="65 leaves"):
        chain(65).raw(x)


def test_the_shipped_forests_score_as_walked():
    model = load_model()
    rng = np.random.default_rng(7)
    for forest in (model.first, model.second):
        width = int(forest.feature.max()) + 1
        x = rng.exponential(size=(3000, width)).astype(np.float32)
        assert np.allclose(forest.raw(x), forest.walk(x), rtol=0, atol=1e-9)
