"""Gradient-boosted trees scored with numpy, all lines of a batch at once.

A forest is stored as flat node arrays (a leaf is a node that points to itself); scoring walks
every line down every tree one level a step, so its cost is lines x trees x depth gathers and no
Python per line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_CHUNK = 2048


@dataclass(frozen=True, slots=True)
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
            out[start : start + _CHUNK] = self._raw(x[start : start + _CHUNK])
        return out

    def _raw(self, x: np.ndarray) -> np.ndarray:
        n, width = x.shape
        flat = x.ravel()
        rows = (np.arange(n, dtype=np.int32) * width)[None, :]
        node = np.repeat(self.roots[:, None], n, axis=1)
        for _ in range(self.depth):
            go_left = flat[rows + self.feature[node]] <= self.threshold[node]
            node = np.where(go_left, self.left[node], self.right[node])
        return self.value[node].sum(axis=0, dtype=np.float64) + self.base

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
