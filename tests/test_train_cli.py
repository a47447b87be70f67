"""`bp train`, `bp classify` and `bp evaluate` end to end on a small slice of the gold."""

import json
import shutil

import pytest
from typer.testing import CliRunner

from bestpersons_cli.cli import app
from conftest import CORPUS, ROOT, copy_db

runner = CliRunner()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, corpus_db):
    folder = tmp_path_factory.mktemp("ws")
    db = folder / "bp.sqlite"
    copy_db(corpus_db, db)
    result = runner.invoke(app, ["train", "--db", str(db), "--gold", str(CORPUS / "annotations" / "gold.jsonl")])
    assert result.exit_code == 0, result.output
    return db


def test_train_writes_model_and_card(workspace):
    cards = list((workspace.parent / "models").glob("*.card.json"))
    [card] = [json.loads(c.read_text()) for c in cards]
    for key in ("codebook_sha256", "gold_sha256", "written_sha256", "nlp_pipeline", "libraries", "cross_validation", "trained_at", "thresholds"):
        assert key in card
    assert card["cross_validation"]["n"] == 918  # cross-validated on the gold only
    data = card["training_data"]
    assert data["gold"]["sentences"] == 918 and data["gold"]["per_source"]["002_f410c0906ac2745f.txt"] == 802
    assert data["written"]["sentences"] >= 6000 and set(data["written"]["per_source"]) == {"written"}
    assert card["training_examples"] == 918 + data["written"]["sentences"]


def test_evaluate_refuses_written_sentences(workspace, tmp_path):
    gold = tmp_path / "w.jsonl"
    lines = [
        {"id": "g1", "source": "test", "text": "De gemeente bezuinigt.", "codes": ["C1"]},
        {"id": "w1", "source": "written", "register": "portrait", "domain": "library", "text": "Zij stopt.", "codes": ["E4"]},
    ]
    gold.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(gold), "--db", str(workspace)])
    assert result.exit_code == 1
    assert f"{gold}:2:" in result.stderr and "never an evaluation set" in result.stderr


def test_train_reports_bad_written_lines(workspace, tmp_path):
    bad = tmp_path / "written.jsonl"
    bad.write_text('{"id": "w1", "source": "written", "register": "blog", "domain": "x", "text": "Zin.", "codes": []}\n', encoding="utf-8")
    result = runner.invoke(app, ["train", "--db", str(workspace), "--written", str(bad)])
    assert result.exit_code == 1 and f"{bad}:1: unknown register 'blog'" in result.stderr


def test_classify_then_list_by_code(workspace):
    result = runner.invoke(app, ["classify", "--db", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "Werkcontext" in result.output
    listed = runner.invoke(app, ["sentences", "--db", str(workspace), "--code", "C3", "--json"])
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert rows and all("C3" in r["codes"] for r in rows)


def test_evaluate_json(workspace, tmp_path):
    gold = tmp_path / "g.jsonl"
    gold.write_text(
        json.dumps({"id": "t1", "source": "test", "text": "De gemeente bezuinigt op de subsidie van het project.", "codes": ["C1"]}) + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["evaluate", str(gold), "--db", str(workspace), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"micro_f1", "macro_f1", "block_micro_f1", "block_macro_f1", "kappa", "per_code", "n"} <= set(data)
    assert data["n"] == 1


def test_evaluate_reports_bad_lines_with_file_and_line(workspace, tmp_path):
    gold = tmp_path / "bad.jsonl"
    gold.write_text('{"id": "a", "source": "s", "text": "Tekst.", "codes": []}\nnot json\n{"id": "b", "source": "s", "text": "T", "codes": ["Z9"]}\n', encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(gold), "--db", str(workspace), "--json"])
    assert result.exit_code == 1
    assert "bad.jsonl:2:" in result.stderr and "bad.jsonl:3:" in result.stderr and "Z9" in result.stderr


@pytest.mark.parametrize("kind", ["empty file", "folder"])
def test_evaluate_refuses_an_empty_gold_file_or_a_folder(workspace, tmp_path, kind):
    gold = tmp_path / "gold.jsonl"
    gold.mkdir() if kind == "folder" else gold.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(gold), "--db", str(workspace)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(gold) in lines[0] and "Traceback" not in result.output


def test_classify_refuses_another_codebook(workspace, tmp_path):
    other = tmp_path / "codebook.toml"
    other.write_text((ROOT / "corpus" / "codebook.toml").read_text(encoding="utf-8").replace('version = ', 'version = "x" #', 1), encoding="utf-8")
    result = runner.invoke(app, ["classify", "--db", str(workspace), "--codebook", str(other)])
    assert result.exit_code == 1 and "another codebook" in result.stderr
    forced = runner.invoke(app, ["classify", "--db", str(workspace), "--codebook", str(other), "--force"])
    assert forced.exit_code == 0


def test_classify_refuses_another_nlp_pipeline(workspace, tmp_path):
    db = tmp_path / "other.sqlite"
    copy_db(workspace, db)
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("UPDATE documents SET nlp_pipeline = 'nl_core_news_sm', nlp_version = '3.8.0' WHERE name LIKE '000%'")
    conn.commit()
    conn.close()
    result = runner.invoke(app, ["classify", "--db", str(db)])
    assert result.exit_code == 1 and "nl_core_news_sm" in result.stderr
