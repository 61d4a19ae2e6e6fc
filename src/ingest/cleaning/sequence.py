"""A bidirectional GRU over the lines of each page: the line model's reading of a page in order.

The trees see a line's neighbourhood through windows of fixed size; the GRU carries what it
has read from the top of the page down and from the bottom up (a comments header, the end of
the article) as far as it matters. Its input is each line's features; its output a body
probability, which the line model averages with the trees'. Trained by
``scripts/train_cleaner.py`` (PyTorch, the ``train`` extra); inference is numpy. A page's scores
do not depend on the pages beside it in a batch: the products over all lines go to BLAS in
blocks of a fixed number of rows (the same kernel for every row, wherever it stands), the
recurrent ones are summed in a fixed order per row (``einsum`` without BLAS).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: the arrays of a saved GRU (PyTorch's gate order r, z, n)
ARRAYS = (
    "mean",
    "scale",
    "inp_w",
    "inp_b",
    "fwd_w_ih",
    "fwd_w_hh",
    "fwd_b_ih",
    "fwd_b_hh",
    "bwd_w_ih",
    "bwd_w_hh",
    "bwd_b_ih",
    "bwd_b_hh",
    "hid_w",
    "hid_b",
    "out_w",
    "out_b",
)


#: rows of one BLAS product (the last block is padded with zeros to this size)
_BLOCK = 64


def _dot(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``x @ w.T``, each row summed in the same order whatever the other rows."""
    return np.einsum("ni,oi->no", x, w, optimize=False)


def _project(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``x @ w.T`` for many rows, by BLAS in blocks of ``_BLOCK`` rows."""
    rows = len(x)
    padded = np.zeros((-(-rows // _BLOCK) * _BLOCK, x.shape[1]), dtype=np.float32)
    padded[:rows] = x
    wt = np.ascontiguousarray(w.T)
    out = np.empty((len(padded), w.shape[0]), dtype=np.float32)
    for lo in range(0, len(padded), _BLOCK):
        np.matmul(padded[lo : lo + _BLOCK], wt, out=out[lo : lo + _BLOCK])
    return out[:rows]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def signed_log(x: np.ndarray) -> np.ndarray:
    """The inputs' scale: features span orders of magnitude (lengths, counts)."""
    return np.sign(x) * np.log1p(np.abs(x))


@dataclass(frozen=True)
class SequenceModel:
    #: the network's weights by name (``ARRAYS``), float32
    arrays: dict[str, np.ndarray]

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {prefix + name: self.arrays[name] for name in ARRAYS}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> SequenceModel:
        return cls({name: arrays[prefix + name].astype(np.float32) for name in ARRAYS})

    def probability(self, x: np.ndarray, page_start: np.ndarray) -> np.ndarray:
        """Body probability of each row of ``x``: the lines of the pages that ``page_start``
        bounds, page after page."""
        a = self.arrays
        z = ((signed_log(x) - a["mean"]) / a["scale"]).astype(np.float32)
        z = np.maximum(_project(z, a["inp_w"]) + a["inp_b"], 0.0)
        forward, backward = self._read_both(z, page_start)
        hidden = np.hstack([forward, backward, z])
        hidden = np.maximum(_project(hidden, a["hid_w"]) + a["hid_b"], 0.0)
        logit = _project(hidden, a["out_w"])[:, 0] + a["out_b"][0]
        return _sigmoid(logit.astype(np.float64))

    def _gates_in(self, z: np.ndarray, name: str) -> np.ndarray:
        """The input side of one direction's gates at every line (its recurrent biases of the
        reset and update gates folded in), halved for the reset and update gates: their
        sigmoids are taken as tanh of half their input (sigmoid(x) = (1 + tanh(x / 2)) / 2)."""
        a = self.arrays
        size = a[f"{name}_w_hh"].shape[1]
        half = _halves(size)
        bias = a[f"{name}_b_ih"] + np.where(np.arange(3 * size) < 2 * size, a[f"{name}_b_hh"], 0.0)
        return _project(z, a[f"{name}_w_ih"] * half[:, None]) + (bias * half).astype(np.float32)

    def _recurrent(self) -> tuple[np.ndarray, np.ndarray]:
        """Both directions' recurrent weights as one GRU's whose state is the forward state then
        the backward one: block-diagonal, gates laid out reset, update, new, each forward then
        backward; and the new gate's recurrent bias."""
        a = self.arrays
        size = a["fwd_w_hh"].shape[1]
        half = _halves(size)
        w = np.zeros((6 * size, 2 * size), dtype=np.float32)
        for d, name in enumerate(("fwd", "bwd")):
            w_hh = a[f"{name}_w_hh"] * half[:, None]
            for g in range(3):
                rows = slice((2 * g + d) * size, (2 * g + d + 1) * size)
                w[rows, d * size : (d + 1) * size] = w_hh[g * size : (g + 1) * size]
        b_new = np.concatenate([a[f"{name}_b_hh"][2 * size :] for name in ("fwd", "bwd")])
        return w, b_new

    def _read_both(self, z: np.ndarray, page_start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The hidden states at every line, each page read top down and bottom up. Both
        directions advance together, one line a step, as one GRU of twice the state (the
        weights of ``_recurrent``); all pages advance together too, the longest first, so the
        pages still reading at step ``t`` are a prefix of that order."""
        size = self.arrays["fwd_w_hh"].shape[1]
        gates_f, gates_b = self._gates_in(z, "fwd"), self._gates_in(z, "bwd")
        w_rec, b_new = self._recurrent()
        lengths = np.diff(page_start)
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        # the lines read at each step, laid out step after step: a step's inputs and outputs
        # are then one contiguous slice instead of a gather and a scatter
        steps = int(lengths[0]) if len(lengths) else 0
        reading = len(lengths) - np.searchsorted(lengths[::-1], np.arange(steps), side="right")
        offsets = np.concatenate(([0], np.cumsum(reading)))
        t_of = np.repeat(np.arange(steps), reading)
        page_of = np.arange(offsets[-1]) - np.repeat(offsets[:-1], reading)
        down = page_start[:-1][order][page_of] + t_of
        up = page_start[1:][order][page_of] - 1 - t_of
        # each gate's forward then backward part, side by side, at every step
        lines = len(down)
        gates_in = np.stack(
            [gates_f[down].reshape(lines, 3, size), gates_b[up].reshape(lines, 3, size)], axis=2
        ).reshape(lines, 6 * size)
        both = 2 * size
        states = np.empty((lines, both), dtype=np.float32)
        h = np.zeros((len(order), both), dtype=np.float32)
        for t in range(steps):
            lo, hi = offsets[t], offsets[t + 1]
            gi = gates_in[lo:hi]
            gh = _dot(h[: hi - lo], w_rec)
            # in place: a step's arrays are a few rows each, so the calls are the cost
            gates = gi[:, : 2 * both] + gh[:, : 2 * both]
            np.tanh(gates, out=gates)
            gates *= 0.5
            gates += 0.5  # the reset and update gates' sigmoids
            n = gh[:, 2 * both :] + b_new
            n *= gates[:, :both]
            n += gi[:, 2 * both :]
            np.tanh(n, out=n)
            h = h[: hi - lo] - n
            h *= gates[:, both:]
            h += n
            states[lo:hi] = h
        forward = np.zeros((len(z), size), dtype=np.float32)
        backward = np.zeros((len(z), size), dtype=np.float32)
        forward[down] = states[:, :size]
        backward[up] = states[:, size:]
        return forward, backward


def _halves(size: int) -> np.ndarray:
    """The factor of each gate row: a half for the reset and update gates, 1 for the new gate."""
    half = np.ones(3 * size, dtype=np.float32)
    half[: 2 * size] = 0.5
    return half
