"""Training of the line model's GRU (``ingest.cleaning.sequence``) with PyTorch.

PyTorch is needed only here: ``pip install -e .[dev,train]``. The network is trained on pages
cut into pieces of at most ``PIECE`` lines (context is mostly local; long pages would make
slow, padded batches), one thread, a pinned seed, then exported to the numpy arrays that
``SequenceModel`` reads.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ingest.cleaning.sequence import ARRAYS, SequenceModel, signed_log

EPOCHS = 6
HIDDEN = 16
#: width of the layer each line's features pass through before the GRU
PROJECTION = 48
BATCH = 32
PIECE = 400
LEARNING_RATE = 3e-3


class _Net(nn.Module):
    def __init__(self, features: int) -> None:
        super().__init__()
        self.inp = nn.Linear(features, PROJECTION)
        self.gru = nn.GRU(PROJECTION, HIDDEN, batch_first=True, bidirectional=True)
        self.hid = nn.Linear(2 * HIDDEN + PROJECTION, 32)
        self.out = nn.Linear(32, 1)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        z = torch.relu(self.inp(x))
        packed = nn.utils.rnn.pack_padded_sequence(
            z, lengths, batch_first=True, enforce_sorted=False
        )
        read, _ = self.gru(packed)
        read, _ = nn.utils.rnn.pad_packed_sequence(read, batch_first=True, total_length=x.shape[1])
        return self.out(torch.relu(self.hid(torch.cat([read, z], -1)))).squeeze(-1)


def _pad(
    spans: list[tuple[int, int]], x: np.ndarray, y: np.ndarray, w: np.ndarray
) -> tuple[torch.Tensor, ...]:
    longest = max(hi - lo for lo, hi in spans)
    xb = np.zeros((len(spans), longest, x.shape[1]), np.float32)
    yb = np.zeros((len(spans), longest), np.float32)
    wb = np.zeros((len(spans), longest), np.float32)  # padding weighs nothing
    for i, (lo, hi) in enumerate(spans):
        xb[i, : hi - lo], yb[i, : hi - lo], wb[i, : hi - lo] = x[lo:hi], y[lo:hi], w[lo:hi]
    lengths = torch.tensor([hi - lo for lo, hi in spans])
    return torch.from_numpy(xb), torch.from_numpy(yb), torch.from_numpy(wb), lengths


def train_sequence(
    features: np.ndarray, page_start: np.ndarray, y: np.ndarray, w: np.ndarray, seed: int
) -> SequenceModel:
    """A GRU trained on the lines of the pages ``page_start`` bounds (labels ``y``, weights
    ``w``)."""
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    rng = np.random.default_rng(seed)
    z = signed_log(features)
    mean, scale = z.mean(0), z.std(0) + 1e-6
    x = ((z - mean) / scale).astype(np.float32)
    pieces = [
        (a, min(hi, a + PIECE))
        for lo, hi in zip(page_start[:-1].tolist(), page_start[1:].tolist(), strict=True)
        for a in range(lo, hi, PIECE)
    ]
    net = _Net(x.shape[1])
    optimiser = torch.optim.Adam(net.parameters(), lr=LEARNING_RATE)
    steps = (len(pieces) + BATCH - 1) // BATCH
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=LEARNING_RATE, total_steps=EPOCHS * steps, pct_start=0.15
    )
    for _ in range(EPOCHS):
        # batches of pieces of about the same length, in random order
        key = np.array([(hi - lo) // 50 for lo, hi in pieces]) + rng.random(len(pieces))
        order = np.argsort(key, kind="stable")
        batches = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
        for b in rng.permutation(len(batches)):
            xb, yb, wb, lengths = _pad([pieces[i] for i in batches[b]], x, y, w)
            loss = nn.functional.binary_cross_entropy_with_logits(
                net(xb, lengths), yb, reduction="none"
            )
            loss = (loss * wb).sum() / wb.sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
    return _export(net, mean, scale)


def _parameters(net: _Net) -> dict[str, torch.Tensor]:
    """The network's parameters by the names ``SequenceModel`` gives their arrays."""
    gru = dict(net.gru.named_parameters())
    out = {
        "inp_w": net.inp.weight,
        "inp_b": net.inp.bias,
        "hid_w": net.hid.weight,
        "hid_b": net.hid.bias,
        "out_w": net.out.weight,
        "out_b": net.out.bias,
    }
    for way, suffix in (("fwd", ""), ("bwd", "_reverse")):
        for part in ("w_ih", "w_hh", "b_ih", "b_hh"):
            kind = "weight" if part[0] == "w" else "bias"
            out[f"{way}_{part}"] = gru[f"{kind}_{part[2:]}_l0{suffix}"]
    return out


def _export(net: _Net, mean: np.ndarray, scale: np.ndarray) -> SequenceModel:
    arrays = {name: value.detach().numpy() for name, value in _parameters(net).items()}
    arrays |= {"mean": mean, "scale": scale}
    assert set(arrays) == set(ARRAYS)
    return SequenceModel({k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()})


def torch_probability(model: SequenceModel, features: np.ndarray) -> np.ndarray:
    """The exported network's probabilities for the lines of one page, run by PyTorch (to check
    the export)."""
    net = _Net(features.shape[1])
    with torch.no_grad():
        for name, parameter in _parameters(net).items():
            parameter[:] = torch.from_numpy(model.arrays[name])
        z = (signed_log(features) - model.arrays["mean"]) / model.arrays["scale"]
        x = torch.from_numpy(z.astype(np.float32))[None]
        return torch.sigmoid(net(x, torch.tensor([len(features)]))).numpy()[0]
