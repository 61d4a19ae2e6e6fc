"""Gradient-boosted trees scored with numpy, all lines of a batch at once.

A forest is stored as flat node arrays (a leaf is a node that points to itself). Scoring does not
walk the trees: every split of every tree is tested on every line at once, and each tree's leaf
is found from the failed tests with bit masks (QuickScorer: Lucchese et al., SIGIR 2015). A
tree's leaves are numbered left to right; a failed test (the line goes right) rules out the
leaves of the node's left subtree, and the line's leaf is the leftmost one no failed test rules
out. The cost is a few contiguous array operations per split and line, no gather per level and
no Python per line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

_CHUNK = 2048
_WORDS = (np.uint8, np.uint16, np.uint32, np.uint64)  # one bit a leaf


@dataclass(frozen=True, slots=True)
class _Splits:
    """A forest laid out for scoring by bit masks. Every tree gets the same number of splits
    (padded with splits that rule nothing out), stored split-rank major: split ``k`` of tree
    ``t`` is row ``k * trees + t``, so one reduction combines the masks of each tree's splits."""

    feature: np.ndarray  # intp, split -> feature
    threshold: np.ndarray  # float32 (splits x 1), go left when x <= threshold
    left_leaves: np.ndarray  # uint (splits x 1), the leaves of the split's left subtree
    leaf_value: np.ndarray  # float64 (trees x most leaves), left to right
    constant: float  # the base and the values of the trees that are one leaf

    def raw(self, x: np.ndarray) -> np.ndarray:
        """Summed leaf values of the rows of ``x`` (rows x features, float32)."""
        trees, width = self.leaf_value.shape
        if not trees:
            return np.full(len(x), self.constant)
        failed = np.ascontiguousarray(x.T)[self.feature] <= self.threshold
        np.logical_not(failed, out=failed)  # not ">": a NaN fails the test, as in a walk
        ruled_out = np.multiply(self.left_leaves, failed, dtype=self.left_leaves.dtype)
        ruled_out = np.bitwise_or.reduce(ruled_out.reshape(-1, trees, len(x)), axis=0)
        leaf = _lowest_bit(~ruled_out)
        offsets = (np.arange(trees, dtype=np.intp) * width)[:, None]
        return self.leaf_value.ravel()[leaf + offsets].sum(axis=0) + self.constant


def _lowest_bit(words: np.ndarray) -> np.ndarray:
    """The index of the lowest set bit of every (non-zero) word."""
    lowest = words & (~words + np.array(1, dtype=words.dtype))
    return np.log2(lowest.astype(np.float64)).astype(np.intp)  # exact for powers of two


@dataclass(frozen=True)
class Forest:
    feature: np.ndarray  # int32, node -> feature (0 at leaves)
    threshold: np.ndarray  # float32, go left when x <= threshold (+inf at leaves)
    left: np.ndarray  # int32, node -> node (itself at leaves)
    right: np.ndarray  # int32
    value: np.ndarray  # float32, leaf values (0 inside)
    roots: np.ndarray  # int32, the first node of each tree
    depth: int
    base: float = 0.0

    def raw(self, x: np.ndarray) -> np.ndarray:
        """The summed leaf values (log-odds) of every row of ``x``."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        out = np.empty(len(x), dtype=np.float64)
        for start in range(0, len(x), _CHUNK):  # blocks of rows small enough to stay in cache
            out[start : start + _CHUNK] = self._splits.raw(x[start : start + _CHUNK])
        return out

    def walk(self, x: np.ndarray) -> np.ndarray:
        """The summed leaf values of every row of ``x``, found by walking every tree level by
        level: slower than :meth:`raw`, which must agree with it."""
        n, width = x.shape
        flat = np.ascontiguousarray(x, dtype=np.float32).ravel()
        rows = (np.arange(n, dtype=np.int64) * width)[None, :]
        node = np.repeat(self.roots[:, None], n, axis=1)
        for _ in range(self.depth):
            go_left = flat[rows + self.feature[node]] <= self.threshold[node]
            node = np.where(go_left, self.left[node], self.right[node])
        return self.value[node].sum(axis=0, dtype=np.float64) + self.base

    @cached_property
    def _splits(self) -> _Splits:
        return _lay_out_splits(self)

    def probability(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.raw(x)))

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}feature": self.feature,
            f"{prefix}threshold": self.threshold,
            f"{prefix}left": self.left,
            f"{prefix}right": self.right,
            f"{prefix}value": self.value,
            f"{prefix}roots": self.roots,
            f"{prefix}depth_base": np.array([self.depth, self.base], dtype=np.float64),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> Forest:
        depth, base = arrays[f"{prefix}depth_base"]
        return cls(
            feature=arrays[f"{prefix}feature"].astype(np.int32),
            threshold=arrays[f"{prefix}threshold"].astype(np.float32),
            left=arrays[f"{prefix}left"].astype(np.int32),
            right=arrays[f"{prefix}right"].astype(np.int32),
            value=arrays[f"{prefix}value"].astype(np.float32),
            roots=arrays[f"{prefix}roots"].astype(np.int32),
            depth=int(depth),
            base=float(base),
        )


def _lay_out_splits(forest: Forest) -> _Splits:
    trees: list[list[tuple[int, float, int]]] = []  # (feature, threshold, leaves ruled out)
    leaves: list[list[float]] = []
    constant = forest.base

    def visit(node: int, splits: list[tuple[int, float, int]], values: list[float]) -> None:
        """Number the leaves under ``node`` left to right; record each split's left leaves."""
        if forest.left[node] == node:
            values.append(float(forest.value[node]))
            return
        first, at = len(values), len(splits)
        splits.append((0, 0.0, 0))
        visit(int(forest.left[node]), splits, values)
        left_leaves = sum(1 << leaf for leaf in range(first, len(values)))
        splits[at] = (int(forest.feature[node]), float(forest.threshold[node]), left_leaves)
        visit(int(forest.right[node]), splits, values)

    for root in forest.roots.tolist():
        if forest.left[root] == root:
            constant += float(forest.value[root])
            continue
        splits: list[tuple[int, float, int]] = []
        values: list[float] = []
        visit(root, splits, values)
        trees.append(splits)
        leaves.append(values)
    width = max(map(len, leaves), default=1)
    if width > 64:
        raise ValueError(f"a tree of {width} leaves: at most 64 are supported")
    dtype = next(t for t in _WORDS if np.iinfo(t).bits >= width)
    rank = max(map(len, trees), default=0)
    padding = (0, np.inf, 0)  # rules nothing out
    ordered = [t[k] if k < len(t) else padding for k in range(rank) for t in trees]
    leaf_value = np.zeros((len(leaves), width), dtype=np.float64)
    for row, values in zip(leaf_value, leaves, strict=True):
        row[: len(values)] = values
    return _Splits(
        feature=np.array([f for f, _, _ in ordered], dtype=np.intp),
        threshold=np.array([[t] for _, t, _ in ordered], dtype=np.float32),
        left_leaves=np.array([[m] for _, _, m in ordered], dtype=dtype),
        leaf_value=leaf_value,
        constant=constant,
    )


def from_lightgbm(dump: dict) -> Forest:
    """A forest from LightGBM's ``Booster.dump_model()`` (numerical splits, no missing values)."""
    feature: list[int] = []
    threshold: list[float] = []
    left: list[int] = []
    right: list[int] = []
    value: list[float] = []
    roots: list[int] = []
    depth = 0

    def add(node: dict, level: int) -> int:
        nonlocal depth
        me = len(feature)
        feature.append(0)
        threshold.append(np.inf)
        left.append(me)
        right.append(me)
        value.append(0.0)
        if "leaf_value" in node:
            value[me] = node["leaf_value"]
            depth = max(depth, level)
            return me
        if node.get("decision_type", "<=") != "<=":
            raise ValueError("only numerical <= splits are supported")
        feature[me] = node["split_feature"]
        threshold[me] = node["threshold"]
        left[me] = add(node["left_child"], level + 1)
        right[me] = add(node["right_child"], level + 1)
        return me

    for tree in dump["tree_info"]:
        roots.append(add(tree["tree_structure"], 0))
    return Forest(
        feature=np.array(feature, dtype=np.int64),
        threshold=np.array(threshold, dtype=np.float32),
        left=np.array(left, dtype=np.int64),
        right=np.array(right, dtype=np.int64),
        value=np.array(value, dtype=np.float32),
        roots=np.array(roots, dtype=np.int64),
        depth=depth,
    )
