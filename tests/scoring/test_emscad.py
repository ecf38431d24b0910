"""EMSCAD: employer groups, the full model, grouped cross-validation on a subset, prevalence re-weighting, the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from jobsift.scoring import emscad_model
from jobsift.scoring.emscad import cross_validate, employer_groups, grouped_splits, metrics, read_emscad
from jobsift.scoring.emscad_model import FullModel, RescaledBasis, flag_pairs
from tests.conftest import DATA

EMSCAD = DATA / "emscad-dev.csv"
COLUMNS = [
    "job_id",
    "title",
    "location",
    "department",
    "salary_range",
    "company_profile",
    "description",
    "requirements",
    "benefits",
    "telecommuting",
    "has_company_logo",
    "has_questions",
    "employment_type",
    "required_experience",
    "required_education",
    "industry",
    "function",
    "fraudulent",
]


#: Six different scam crews (different wording, so different employer groups) sharing the tell-tale
#: words "earn", "fee" and "home"; two rows each.
SCAM_TEMPLATES = (
    "Earn money from home with no experience. Pay the starter kit fee and get paid weekly.",
    "Home typists wanted today: earn cash per form, a small registration fee unlocks the portal.",
    "Work at home and earn big. Our onboarding fee covers your software licence and first leads.",
    "Data entry from home, earn up to five hundred a week after the training fee is paid upfront.",
    "Mystery shopper at home: earn commissions quickly, the membership fee is refunded later.",
    "Envelope stuffing from home, earn per envelope; the supplies fee ships your first batch.",
)


def _fixture_csv(path: Path) -> Path:
    """A small EMSCAD-format file written for this test."""
    rows = []
    for i in range(24):
        fraud = i % 2
        rows.append(
            {
                "job_id": str(i),
                "title": ("Home typist, earn fast" if fraud else f"Backend engineer {i}"),
                "location": "US, TX, Austin",
                "department": "",
                "salary_range": "",
                "company_profile": f"Agency {i} hires remote staff."
                if fraud
                else f"Company {i // 4} builds logistics software.",
                "description": (
                    SCAM_TEMPLATES[(i // 2) % len(SCAM_TEMPLATES)] + f" Reply quickly, case {i}."
                    if fraud
                    else f"Maintain our Go services and PostgreSQL schemas, review code, and mentor. Team {i}."
                ),
                "requirements": "",
                "benefits": "",
                "telecommuting": str(fraud),
                "has_company_logo": str(1 - fraud),
                "has_questions": "0",
                "employment_type": "Full-time",
                "required_experience": "",
                "required_education": "",
                "industry": "",
                "function": "",
                "fraudulent": str(fraud),
            }
        )
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return path


def test_employer_groups_follow_the_profile_or_near_duplicate_text() -> None:
    text = "Earn money from home with no experience, pay the starter kit fee and get paid every single week"
    rows = [
        {"company_profile": "Acme makes anvils.", "title": "a", "description": "x"},
        {"company_profile": "Acme makes  anvils.", "title": "b", "description": "y"},
        {"company_profile": "", "title": "Typist", "description": text},
        {"company_profile": "", "title": "Typist", "description": text + "!"},
        {
            "company_profile": "",
            "title": "Driver",
            "description": "Deliver parcels around town in the company van, five days a week with a fixed route",
        },
    ]
    g = employer_groups(rows)
    assert g[0] == g[1]
    assert g[2] == g[3]
    assert len({g[0], g[2], g[4]}) == 3


def test_employer_groups_join_shared_boilerplate_and_contact_tokens() -> None:
    benefits = "Health, dental and life insurance, paid time off and a matched retirement plan for all staff"
    token = "#URL_" + "ab12" * 16 + "#"
    stock = "Competitive pay"
    rows = [
        {"company_profile": "", "title": "Clerk", "description": "File papers in the office.", "benefits": benefits},
        {"company_profile": "", "title": "Nurse", "description": "Care for patients at night.", "benefits": benefits},
        {"company_profile": "Beta Ltd.", "title": "Cook", "description": f"Apply at {token} today."},
        {"company_profile": "", "title": "Chef", "description": f"Send your CV via {token} now."},
        {"company_profile": "Gamma Inc.", "title": "Porter", "description": "Carry bags.", "benefits": stock},
        {"company_profile": "Delta Inc.", "title": "Driver", "description": "Drive vans.", "benefits": stock},
    ]
    g = employer_groups(rows)
    assert g[0] == g[1]  # one employer's (or one scam crew's) boilerplate benefits
    assert g[2] == g[3]  # the same anonymised URL
    assert g[4] != g[5]  # a short stock phrase links nobody
    assert len(set(g.tolist())) == 4


def test_full_model_ignores_the_sample_bookkeeping_columns(tmp_path: Path) -> None:
    data = read_emscad(_fixture_csv(tmp_path / "mini.csv"))
    model = FullModel().fit(data)
    tampered = [{**r, "source": "fraud_only", "orig_job_id": "", "job_id": "999"} for r in data.rows]
    assert np.array_equal(model.predict_proba(data.rows), model.predict_proba(tampered))


def test_flag_pairs_let_the_full_model_learn_an_interaction() -> None:
    """Questions mean fraud with a logo and the opposite without one: no single flag says anything."""
    from jobsift.scoring.emscad import Dataset

    pairs = flag_pairs({"has_company_logo": "1", "has_questions": "0", "company_profile": "Acme."})
    assert len(pairs) == 15  # every pair of the six flags, one cell each
    assert "has_company_logo=1&has_questions=0" in pairs
    assert "company_profile=1&has_company_logo=1" in pairs

    def row(logo: int, questions: int, i: int) -> dict[str, str]:
        return {
            "title": "Clerk",
            "description": f"Office clerk wanted, case {i}.",
            "has_company_logo": str(logo),
            "has_questions": str(questions),
        }

    combos = [(0, 0), (0, 1), (1, 0), (1, 1)]
    rows = [row(logo, q, i) for i in range(10) for logo, q in combos]
    y = np.array([int(logo != q) for i in range(10) for logo, q in combos])
    model = FullModel().fit(Dataset(rows, y, np.array([f"g{i}" for i in range(len(rows))])))
    p = model.predict_proba([row(logo, q, 99) for logo, q in combos])
    assert min(p[1], p[2]) > 0.7, p
    assert max(p[0], p[3]) < 0.3, p


def _tfidf_rows() -> tuple[object, object]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = ["wire", "fee", "remote", "python", "nurse", "kit", "deposit", "team", "office", "salary", "visa", "clerk"]
    rng = np.random.default_rng(3)
    docs = [" ".join(rng.choice(words, size=8)) for _ in range(40)]
    vec = TfidfVectorizer().fit(docs[:30])
    return vec.transform(docs[:30]), vec.transform(docs[30:])


@pytest.mark.parametrize("exact", [True, False], ids=["full-rank", "randomized"])
def test_rescaled_basis_projects_new_rows_like_training_rows(exact: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not exact:  # the path for files above FULL_RANK_MAX_ROWS training rows
        monkeypatch.setattr(emscad_model, "FULL_RANK_MAX_ROWS", 10)
        monkeypatch.setattr(emscad_model, "BASIS_MAX_COMPONENTS", 5)
    train, test = _tfidf_rows()
    basis = RescaledBasis()
    z = basis.fit_transform(train)
    # Every component is scaled to at most 1 on the training rows, and at least one row reaches it.
    assert np.allclose(np.abs(z).max(axis=0), 1.0)
    # Training rows projected again land where fitting put them (the test rows take the same path).
    assert np.allclose(basis.transform(train), z)
    assert basis.transform(test).shape == (test.shape[0], z.shape[1])
    rank = np.linalg.matrix_rank(train.toarray())
    assert z.shape[1] == (rank if exact else 5)


def test_rescaled_basis_of_empty_text_has_no_columns() -> None:
    from scipy import sparse

    basis = RescaledBasis()
    assert basis.fit_transform(sparse.csr_matrix((6, 4))).shape == (6, 0)
    assert basis.transform(sparse.csr_matrix((2, 4))).shape == (2, 0)


@pytest.mark.skipif(not EMSCAD.exists(), reason="shared data absent")
def test_full_model_beats_the_baseline_on_unseen_employers_of_a_subset() -> None:
    data = read_emscad(EMSCAD)
    rng = np.random.default_rng(0)
    sub = data.subset(np.sort(rng.choice(len(data.y), size=300, replace=False)))
    full, base = cross_validate(sub, "full", folds=3), cross_validate(sub, "baseline", folds=3)
    assert full["f1"] > base["f1"] + 0.03, (full, base)
    assert full["roc_auc"] > base["roc_auc"], (full, base)
    assert full["groups"] < full["rows"]


@pytest.mark.skipif(not EMSCAD.exists(), reason="shared data absent")
def test_grouped_cv_on_a_subset_never_shares_employers_and_beats_chance() -> None:
    data = read_emscad(EMSCAD)
    rng = np.random.default_rng(0)
    sub = data.subset(np.sort(rng.choice(len(data.y), size=300, replace=False)))
    for tr, te in grouped_splits(sub.y, sub.groups, 3):
        assert not set(sub.groups[tr].tolist()) & set(sub.groups[te].tolist())
    result = cross_validate(sub, "text", folds=3)
    assert result["rows"] == 300
    assert result["folds"] == 3
    assert result["f1"] > 0.6, result
    assert result["roc_auc"] > 0.65, result


def test_prevalence_reweighting_moves_precision_not_recall() -> None:
    y = np.array([1] * 50 + [0] * 50)
    p = np.concatenate([np.linspace(0.3, 1, 50), np.linspace(0, 0.7, 50)])
    own, rare = metrics(y, p), metrics(y, p, prevalence=0.05)
    assert rare["recall"] == own["recall"]
    assert rare["roc_auc"] == pytest.approx(own["roc_auc"], abs=1e-4)
    assert rare["precision"] < own["precision"]
    assert rare["pr_auc"] < own["pr_auc"]


def test_evaluate_command_prints_fraud_class_metrics_as_json(tmp_path: Path) -> None:
    from jobsift.cli import main

    path = _fixture_csv(tmp_path / "mini.csv")
    res = CliRunner().invoke(
        main,
        [
            "--db",
            f"sqlite:///{tmp_path / 'db.sqlite'}",
            "evaluate",
            "--dataset",
            "emscad",
            str(path),
            "--model",
            "text",
            "--folds",
            "3",
            "--json",
            "--prevalence",
            "0.048",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert {"precision", "recall", "f1", "pr_auc", "roc_auc"} <= set(out)
    assert out["prevalence"] == 0.048
    assert out["rows"] == 24
    assert out["recall"] == 1.0  # the planted fraud rows share unmistakable wording


def test_evaluate_refuses_a_csv_that_is_not_emscad(tmp_path: Path) -> None:
    from jobsift.cli import main

    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    res = CliRunner().invoke(main, ["evaluate", str(bad)])
    assert res.exit_code == 2
    assert "EMSCAD" in res.output
