import json
import shutil

from typer.testing import CliRunner

from bestpersons_cli.cli import app
from conftest import CORPUS

runner = CliRunner()


def test_help_lists_the_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("ingest", "sentences", "quotes", "dropped", "documents"):
        assert command in result.output


def test_ingest_then_listings(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / "000_d9d36bac25e15e20.txt", folder)
    db = tmp_path / "bp.sqlite"
    result = runner.invoke(app, ["ingest", str(folder), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "000_d9d36bac25e15e20.txt" in result.output and "1 ingested" in result.output

    listed = runner.invoke(app, ["sentences", "--db", str(db), "--json"])
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert rows and rows[0]["id"] == "000-s0001"
    assert {"text", "lemmas", "section", "start", "end", "codes"} <= set(rows[0])

    again = runner.invoke(app, ["ingest", str(folder), "--db", str(db)])
    assert "unchanged" in again.output and "0 ingested" in again.output


def test_quote_filters(corpus_db):
    result = runner.invoke(app, ["quotes", "--db", str(corpus_db), "--interview", "4", "--json"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3 and {r["interview"] for r in rows} == {4}
    meeting = runner.invoke(app, ["quotes", "--db", str(corpus_db), "--kind", "meeting", "--json"])
    assert json.loads(meeting.stdout)["source"] == "bijeenkomst 25 november 2020"


def test_sentence_filters(corpus_db):
    result = runner.invoke(app, ["sentences", "--db", str(corpus_db), "--document", "002", "--interview", "5", "--json"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and rows[0]["text"].startswith("Wat een woningcorporatie")
    section = runner.invoke(app, ["sentences", "--db", str(corpus_db), "--section", "Autonoom samenwerken", "--json"])
    assert all(json.loads(line)["section"] == "Autonoom samenwerken" for line in section.stdout.splitlines())


def test_dropped_listing_by_reason(corpus_db):
    result = runner.invoke(app, ["dropped", "--db", str(corpus_db), "--reason", "garbage-line", "--json"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 8 and all(r["line"] > 0 for r in rows)


def test_bad_input_gives_one_line_error_and_nonzero_exit(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Een goede zin.\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x00binary")
    db = tmp_path / "bp.sqlite"
    result = runner.invoke(app, ["ingest", str(good), str(bad), "--db", str(db)])
    assert result.exit_code == 1
    assert "bad.txt: looks like a binary file" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    listed = runner.invoke(app, ["sentences", "--db", str(db), "--json"])
    assert json.loads(listed.stdout)["text"] == "Een goede zin."


def test_listing_without_database_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["sentences", "--db", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 1 and "run `bp ingest` first" in result.stderr


def test_unknown_model_is_refused(tmp_path):
    result = runner.invoke(app, ["ingest", str(CORPUS), "--db", str(tmp_path / "x.sqlite"), "--model", "/no/model"])
    assert result.exit_code == 1 and "/no/model" in result.stderr


def test_run_twice_gives_identical_digest(tmp_path, corpus_db):
    from conftest import ROOT

    outputs = []
    for name in ("one", "two"):
        out = tmp_path / name
        result = runner.invoke(app, ["run", str(CORPUS), "--db", str(tmp_path / f"{name}.sqlite"), "--out", str(out), "--gold", str(ROOT / "corpus" / "annotations" / "gold.jsonl")])
        assert result.exit_code == 0, result.output
        assert "digest: 8 files" in result.output
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]
    quotes = outputs[0]["quotes.md"].decode()
    for number in (1, 2, 4, 5, 6, 8, 9, 11, 12):
        assert f"Interview {number}" in quotes or f"interview {number}" in quotes
    sections = {}
    for chunk in quotes.split("### ")[1:]:
        heading, _, body = chunk.partition("\n")
        sections[heading] = body
    import sqlite3

    conn = sqlite3.connect(corpus_db)
    rows = conn.execute("SELECT uid, number FROM quotes WHERE kind = 'interview'").fetchall()
    assert len(rows) == 16
    for uid, number in rows:
        [body] = [b for h, b in sections.items() if f'id="interview-{number}"' in h]
        assert f"**{uid}**" in body, (uid, number)
    [meeting_uid] = [r[0] for r in conn.execute("SELECT uid FROM quotes WHERE kind = 'meeting'")]
    assert f"**{meeting_uid}**" in quotes
