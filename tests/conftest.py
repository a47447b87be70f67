from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
ESSAY = CORPUS / "002_f410c0906ac2745f.txt"
HAS_MODEL = importlib.util.find_spec("nl_core_news_sm") is not None


def pytest_collection_modifyitems(config, items):
    if HAS_MODEL:
        return
    reason = "nl_core_news_sm is not installed (offline machine): run `make model` where the network allows"
    for item in items:
        if "model" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_report_header(config):
    return "spaCy model: " + ("nl_core_news_sm installed" if HAS_MODEL else "nl_core_news_sm absent, fallback pipeline in use")


@pytest.fixture(scope="session")
def pipeline():
    from bestpersons_cli.nlp import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def fallback():
    from bestpersons_cli.nlp import LoadedPipeline, build_fallback, fallback_info

    return LoadedPipeline(build_fallback(), fallback_info())


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory, pipeline):
    """The real corpus ingested once for the whole session."""
    from bestpersons_cli import store
    from bestpersons_cli.ingest import ingest_paths

    path = tmp_path_factory.mktemp("db") / "bp.sqlite"
    conn = store.connect(path)
    report = ingest_paths([CORPUS], conn, pipeline)
    assert not report.errors
    return path


def copy_db(source, target):
    """Copy a WAL-mode database with SQLite's backup API (a file copy can miss the WAL)."""
    import sqlite3

    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    return target
