"""The line model's GRU (numpy inference): the GRU's equations, page by page, whatever the batch."""

import io
from itertools import pairwise

import numpy as np
import pytest

from ingest.cleaning.features import FEATURES as LINE_FEATURES
from ingest.cleaning.line_model import load_model, read_model
from ingest.cleaning.sequence import ARRAYS, SequenceModel, signed_log

FEATURES, PROJECTION, HIDDEN = 7, 5, 4


def random_model(seed: int) -> SequenceModel:
    rng = np.random.default_rng(seed)
    shapes = {
        "mean": (FEATURES,),
        "scale": (FEATURES,),
        "inp_w": (PROJECTION, FEATURES),
        "inp_b": (PROJECTION,),
        "hid_w": (6, 2 * HIDDEN + PROJECTION),
        "hid_b": (6,),
        "out_w": (1, 6),
        "out_b": (1,),
    }
    for way in ("fwd", "bwd"):
        shapes |= {
            f"{way}_w_ih": (3 * HIDDEN, PROJECTION),
            f"{way}_w_hh": (3 * HIDDEN, HIDDEN),
            f"{way}_b_ih": (3 * HIDDEN,),
            f"{way}_b_hh": (3 * HIDDEN,),
        }
    arrays = {
        name: rng.normal(0.0, 0.8, shape).astype(np.float32) for name, shape in shapes.items()
    }
    arrays["scale"] = np.abs(arrays["scale"]) + 0.5
    return SequenceModel(arrays)


def reference(model: SequenceModel, x: np.ndarray) -> np.ndarray:
    """One page, line by line, in float64: PyTorch's GRU equations written out."""
    a = {k: v.astype(np.float64) for k, v in model.arrays.items()}

    def sigmoid(v: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-v))

    z = np.maximum(((signed_log(x) - a["mean"]) / a["scale"]) @ a["inp_w"].T + a["inp_b"], 0.0)

    def read(way: str, rows: list[int]) -> np.ndarray:
        h, out = np.zeros(HIDDEN), np.zeros((len(z), HIDDEN))
        w_ir, w_iz, w_in = np.split(a[f"{way}_w_ih"], 3)
        w_hr, w_hz, w_hn = np.split(a[f"{way}_w_hh"], 3)
        b_ir, b_iz, b_in = np.split(a[f"{way}_b_ih"], 3)
        b_hr, b_hz, b_hn = np.split(a[f"{way}_b_hh"], 3)
        for i in rows:
            r = sigmoid(w_ir @ z[i] + b_ir + w_hr @ h + b_hr)
            u = sigmoid(w_iz @ z[i] + b_iz + w_hz @ h + b_hz)
            n = np.tanh(w_in @ z[i] + b_in + r * (w_hn @ h + b_hn))
            h = (1 - u) * n + u * h
            out[i] = h
        return out

    rows = list(range(len(z)))
    both = np.hstack([read("fwd", rows), read("bwd", rows[::-1]), z])
    hidden = np.maximum(both @ a["hid_w"].T + a["hid_b"], 0.0)
    return sigmoid(hidden @ a["out_w"][0] + a["out_b"][0])


def pages(seed: int, lengths: list[int]) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 3.0, (sum(lengths), FEATURES))
    return x, np.concatenate(([0], np.cumsum(lengths)))


@pytest.mark.parametrize("seed", range(5))
def test_each_page_is_read_by_the_gru_equations_both_ways(seed: int) -> None:
    model = random_model(seed)
    lengths = [9, 1, 0, 23, 4, 4, 17]
    x, starts = pages(seed, lengths)
    got = model.probability(x, starts)
    for lo, hi in pairwise(starts):
        assert np.allclose(got[lo:hi], reference(model, x[lo:hi]), atol=1e-5)


def test_a_page_scores_the_same_alone_and_among_other_pages() -> None:
    model = random_model(11)
    lengths = [3, 40, 1, 12, 40, 7]
    x, starts = pages(11, lengths)
    together = model.probability(x, starts)
    for lo, hi in pairwise(starts):
        alone = model.probability(x[lo:hi], np.array([0, hi - lo]))
        assert np.array_equal(together[lo:hi], alone)


def test_the_order_of_lines_matters_to_the_gru() -> None:
    """The model reads a page in order: the same lines in another order score otherwise."""
    model = random_model(3)
    x, starts = pages(3, [12])
    assert not np.allclose(model.probability(x, starts), model.probability(x[::-1], starts)[::-1])


def test_no_lines_no_scores() -> None:
    model = random_model(0)
    assert model.probability(np.zeros((0, FEATURES)), np.array([0, 0, 0])).shape == (0,)


def test_arrays_round_trip_through_a_file() -> None:
    model = random_model(5)
    buffer = io.BytesIO()
    np.savez(buffer, **model.to_arrays("gru_"))
    buffer.seek(0)
    back = SequenceModel.from_arrays(dict(np.load(buffer)), "gru_")
    x, starts = pages(5, [6, 2])
    assert np.array_equal(back.probability(x, starts), model.probability(x, starts))


def test_the_shipped_gru_reads_the_line_models_features() -> None:
    gru = load_model().sequence
    assert set(gru.arrays) == set(ARRAYS)
    assert gru.arrays["inp_w"].shape[1] == len(LINE_FEATURES)


def test_a_model_saved_without_the_gru_is_refused(tmp_path) -> None:
    path = tmp_path / "line_model.npz"
    load_model().save(path)
    arrays = {k: v for k, v in np.load(path).items() if not k.startswith("gru_")}
    np.savez(path, **arrays)
    with pytest.raises(RuntimeError, match="without the GRU"):
        read_model(path)
