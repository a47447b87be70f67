import json

import numpy as np
import pytest

from bestpersons_cli import classify
from bestpersons_cli.codebook import load_codebook
from bestpersons_cli.errors import BpError
from conftest import CORPUS

# short on purpose: sentences under 40 characters are never merged as near-duplicates
TOPICS = {
    "C1": "subsidie bezuinigd, geld stopt",
    "E4": "pensioen, opvolger, overdracht",
    "W4": "geld werven bij fondsen, sponsors",
    "": "onderzoek met interviews",
}


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(CORPUS / "codebook.toml")


def synthetic_examples(n=60):
    examples = []
    for i in range(n):
        code = list(TOPICS)[i % len(TOPICS)]
        text = f"{TOPICS[code]} {i}"
        examples.append(classify.Example(f"x{i}", "synthetic", text, text, f"g{i % 6}", (code,) if code else ()))
    return examples


def test_thresholds_and_max_codes():
    proba = np.array([[0.9, 0.8, 0.7, 0.6], [0.1, 0.2, 0.3, 0.4]])
    decided = classify.decide(proba, np.full(4, 0.5), max_codes=3)
    assert decided.tolist() == [[1, 1, 1, 0], [0, 0, 0, 0]]
    Y = np.array([[1], [1], [0], [0]])
    assert classify.tune_thresholds(np.array([[0.9], [0.6], [0.55], [0.1]]), Y)[0] == pytest.approx(0.575)


def test_near_duplicates_share_a_group():
    texts = [
        "Best persons werken vaak relatief autonoom, maar samenwerking is tegelijkertijd een noodzaak.",
        "Best persons werken vaak relatief autonoom, maar samenwerking is tegelijkertijd een noodzaak!",
        "Iets heel anders over de financiering van projecten in de wijk en de gemeente.",
    ]
    groups = classify.near_duplicate_groups(texts, ["a", "b", "c"])
    assert groups[0] == groups[1] != groups[2]


def test_keyword_baseline_uses_typical_words(codebook):
    baseline = classify.KeywordBaseline(codebook)
    proba = baseline.predict_proba(["de bezuiniging op subsidie", "niets hier"])
    assert proba[0, codebook.code_ids.index("C1")] == 1.0 and proba[1].sum() == 0


def test_cross_validation_learns_separable_topics(codebook):
    result = classify.cross_validate("words+chars-lr", synthetic_examples(), codebook, n_splits=3).result
    assert result["micro_f1"] > 0.9
    assert result["per_code"]["E4"]["support"] == 15


def test_model_round_trip_through_skops(tmp_path, codebook):
    card = {"codebook_sha256": codebook.sha256, "gold_sha256": "g", "nlp_pipeline": {"name": "p", "version": "1"}, "libraries": {}, "trained_at": "t"}
    model = classify.train(synthetic_examples(), codebook, card, name=classify.DEFAULT_CANDIDATE)
    path, card_path = classify.save(model, tmp_path)
    assert path.suffix == ".skops" and json.loads(card_path.read_text())["id"] == model.id
    loaded = classify.load(path)
    texts = ["zij zoekt een opvolger voor de overdracht", "geld werven bij fondsen"]
    assert np.allclose(loaded.predict_proba(texts), model.predict_proba(texts))
    assert loaded.codes == codebook.code_ids
    assert set(loaded.card["cross_validation"]) >= {"micro_f1", "macro_f1", "block_micro_f1", "block_macro_f1", "kappa", "per_code"}


def test_loading_a_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(BpError, match="bp train"):
        classify.load(tmp_path / "none.skops")


def test_written_examples_train_but_are_never_scored(codebook):
    gold = synthetic_examples(24)
    written = [classify.Example(f"w{i}", "written", e.text, e.lemmas, "written", e.codes) for i, e in enumerate(synthetic_examples(80))]
    cv = classify.cross_validate("words+chars-lr", gold, codebook, n_splits=3, extra=written)
    assert cv.result["n"] == 24 and cv.result["extra_in_training"] == 80
    assert cv.proba.shape == (104, len(codebook.code_ids))
    assert cv.result["micro_f1"] > 0.9


def test_written_folds_do_not_depend_on_order(codebook):
    gold = synthetic_examples(24)
    written = [classify.Example(f"w{i}", "written", "t", "t", "written", ()) for i in range(50)]
    _, folds = classify.assign_folds(gold, written, 5)
    _, reversed_folds = classify.assign_folds(gold, written[::-1], 5)
    assert folds.tolist() == reversed_folds.tolist()[::-1]
    assert set(folds.tolist()) == {0, 1, 2, 3, 4}


def test_lexicon_features_add_the_codebooks_extra_words(codebook):
    c1 = codebook.code_ids.index("C1")
    assert "begroting" in codebook.codes[c1].lexicon and "begroting" not in codebook.codes[c1].typical_words
    sentence = ["de begroting van het buurthuis krimpt"]
    typical = classify._keywords(codebook, lexicon=False).transform(sentence).toarray()[0]
    enriched = classify._keywords(codebook, lexicon=True).transform(sentence).toarray()[0]
    assert typical[c1] == 0 and enriched[c1] == 1


def test_unknown_candidate_is_a_clear_error(codebook):
    with pytest.raises(BpError, match="unknown model candidate 'words-svm'"):
        classify.build_candidate("words-svm", codebook)


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory, codebook):
    card = {"codebook_sha256": codebook.sha256, "gold_sha256": "g", "nlp_pipeline": {"name": "p", "version": "1"}, "libraries": {}, "trained_at": "t"}
    model = classify.train(synthetic_examples(), codebook, card, name="words-lr")
    path, _ = classify.save(model, tmp_path_factory.mktemp("model"))
    return path


def test_truncated_model_is_a_clear_error(tmp_path, saved_model):
    import shutil

    path = tmp_path / saved_model.name
    shutil.copy(saved_model, path)
    shutil.copy(saved_model.with_name(saved_model.name.replace(".skops", ".card.json")), tmp_path)
    path.write_bytes(saved_model.read_bytes()[:200])
    with pytest.raises(BpError, match=f"{path}: cannot load model"):
        classify.load(path)


def test_tampered_model_with_a_foreign_type_is_refused(tmp_path, saved_model):
    """A model file that would build an arbitrary object is refused before loading."""
    import zipfile

    path = tmp_path / saved_model.name
    with zipfile.ZipFile(saved_model) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "schema.json":
                data = data.replace(b'"sklearn.linear_model._logistic"', b'"os"', 1).replace(b'"LogisticRegression"', b'"system"', 1)
            dst.writestr(item, data)
    (tmp_path / saved_model.name.replace(".skops", ".card.json")).write_text("{}", encoding="utf-8")
    with pytest.raises(BpError) as caught:
        classify.load(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert "types bp does not trust: os.system" in str(caught.value)
