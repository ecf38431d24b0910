"""The text model scores a batch at once (``textgrams``): each posting's probability is the one it gets
alone and the one scikit-learn gives, whatever else is in the batch; other settings take the
per-document path and still agree with scikit-learn (1e-9)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from jobsift.scoring import model as model_mod
from jobsift.scoring.emscad import read_emscad
from jobsift.scoring.text import emscad_text
from jobsift.scoring.textgrams import DEFAULT_PATTERN, RUNS, Grams
from jobsift.scoring.textmodel import BATCH_MIN, COUNT_CHUNK, PlainTextModel, export_pipeline
from tests.scoring.test_emscad import _fixture_csv
from tests.scoring.test_plain_model import EMSCAD, TEXTS


def _texts() -> list[str]:
    extra = [emscad_text(r) for r in read_emscad(EMSCAD).rows[:200]] if EMSCAD.is_file() else []
    made = [f"Job {i}: data entry clerk and logo design, paid {i} dollars, contact me on whatsapp" for i in range(40)]
    return [*TEXTS, "", "a b", "job", "job job", *made, *extra, "x y z"]


def test_a_posting_scores_the_same_alone_and_in_any_batch() -> None:
    m = model_mod.load_artifact(model_mod.SHIPPED_DIR).text
    assert m is not None
    texts = _texts()
    assert len(texts) >= BATCH_MIN  # the batch path; one text alone takes the per-document path
    batch = m.decision(texts)
    alone = np.vstack([m.decision([t]) for t in texts])
    assert m._grams is not None
    assert batch.shape == (len(texts), m.coef.shape[0])
    assert np.array_equal(batch, alone)  # bit for bit: the sums run in the same order
    reordered = m.decision(texts[::-1])
    assert np.array_equal(reordered[::-1], batch)
    copies = 2 + COUNT_CHUNK // len(texts)  # counted in several chunks
    assert np.array_equal(m.decision(texts * copies), np.tile(alone, (copies, 1)))
    assert m.decision([]).shape == (0, m.coef.shape[0])


def test_the_fast_token_pattern_finds_the_default_patterns_tokens() -> None:
    default = re.compile(DEFAULT_PATTERN)
    for text in _texts():
        low = text.lower()
        assert RUNS.findall(low) == default.findall(low)


def test_the_batch_counts_are_the_per_document_counts() -> None:
    m = model_mod.load_artifact(model_mod.SHIPPED_DIR).text
    assert m is not None
    texts = _texts()
    c = m.counts(texts)
    assert m._grams is not None  # the batch path
    for i, text in enumerate(texts):
        cols, tf = m._columns(text)
        assert np.array_equal(c.col[c.doc == i], cols)
        assert np.array_equal(c.tf[c.doc == i], tf.astype(np.int64))
    assert c.tf.sum() > 0


@pytest.mark.parametrize(
    ("ngram_range", "token_pattern", "batched"),
    [
        ((1, 2), DEFAULT_PATTERN, True),
        ((2, 2), DEFAULT_PATTERN, True),
        ((1, 3), DEFAULT_PATTERN, False),
        ((1, 2), r"(?u)\b\w+\b", False),
    ],
)
def test_each_path_scores_like_scikit_learn(
    ngram_range: tuple[int, int], token_pattern: str, batched: bool, tmp_path: Path
) -> None:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    data = read_emscad(_fixture_csv(tmp_path / "mini.csv"))
    train = [emscad_text(r) for r in data.rows]
    vec = TfidfVectorizer(ngram_range=ngram_range, token_pattern=token_pattern, sublinear_tf=True, dtype=np.float32)
    pipeline = make_pipeline(vec, CalibratedClassifierCV(LogisticRegression(C=8.0), method="sigmoid", cv=2))
    pipeline.fit(train, data.y)
    m = PlainTextModel.from_arrays(*export_pipeline(pipeline))
    assert m._batchable is batched
    texts = [*TEXTS, *train] * (1 + BATCH_MIN // (len(TEXTS) + len(train)))  # enough for the batch path
    np.testing.assert_allclose(m.predict_proba(texts), pipeline.predict_proba(texts)[:, 1], rtol=0, atol=1e-9)
    assert (m._grams is not None) is batched


def test_grams_supports_only_what_it_reproduces() -> None:
    vocab = {"job": 0, "data entry": 1}
    assert Grams.supports(vocab, DEFAULT_PATTERN, (1, 2))
    assert not Grams.supports(vocab, DEFAULT_PATTERN, (1, 1))  # a two-word term outside the range
    assert not Grams.supports(vocab, r"\S+", (1, 2))
    assert not Grams.supports({"a b c": 0}, DEFAULT_PATTERN, (1, 3))
