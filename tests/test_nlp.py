import pytest

from bestpersons_cli.errors import BpError
from bestpersons_cli.nlp import load_pipeline, segment


def test_fallback_splits_sentences_but_not_after_abbreviations(fallback):
    [spans] = list(segment(fallback.nlp, [("Zie bv. de brief (p. 1) van Denters et al. uit 2013. Ze gingen naar huis.", False)]))
    assert len(spans) == 2
    assert spans[1].tokens[0].text == "Ze"


def test_fallback_lemmatizes_with_lookup_tables(fallback):
    [spans] = list(segment(fallback.nlp, [("De bewoners ging naar de initiatieven.", False)]))
    lemmas = [t.lemma for t in spans[0].tokens]
    assert "bewoner" in lemmas and "gaan" in lemmas and "initiatief" in lemmas


def test_whole_keeps_a_heading_as_one_sentence(fallback):
    [spans] = list(segment(fallback.nlp, [("Intermezzo: Hoe. Best persons werken", True)]))
    assert len(spans) == 1


def test_fallback_is_recorded(fallback):
    assert fallback.info.is_fallback and fallback.info.name == "bp_fallback_nl"
    assert "spacy" in fallback.info.version


def test_missing_requested_model_is_a_clear_error():
    with pytest.raises(BpError) as info:
        load_pipeline("/no/such/model-dir")
    assert "/no/such/model-dir" in str(info.value)


def test_env_variable_selects_the_model(monkeypatch):
    monkeypatch.setenv("BP_SPACY_MODEL", "/no/such/env-model")
    with pytest.raises(BpError) as info:
        load_pipeline()
    assert "env-model" in str(info.value)


def test_default_without_model_warns_once_and_names_the_fallback(pipeline):
    if not pipeline.info.is_fallback:
        pytest.skip("nl_core_news_sm is installed, so there is no fallback warning to check")
    assert "bp_fallback_nl" in pipeline.warning and "make model" in pipeline.warning


@pytest.mark.model
def test_real_model_tags_and_lemmatizes():
    loaded = load_pipeline()
    assert not loaded.info.is_fallback
    [spans] = list(segment(loaded.nlp, [("De bewoners werkten hard in de wijken.", False)]))
    assert {t.pos for t in spans[0].tokens} >= {"NOUN", "VERB"}
