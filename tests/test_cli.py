import json
import shutil
import signal

import pytest
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


def test_files_of_only_numbers_or_punctuation_are_stored_with_a_warning(tmp_path):
    (tmp_path / "punct.txt").write_text("... !!! ??? --- ,,,\n;;;\n", encoding="utf-8")
    (tmp_path / "numbers.txt").write_text("1\n2\n3\n\n42 17 2019\n3,14\n", encoding="utf-8")
    (tmp_path / "prose.txt").write_text("Een gewone zin met 12 woorden.\n", encoding="utf-8")
    db = tmp_path / "bp.sqlite"
    result = runner.invoke(app, ["ingest", str(tmp_path), "--db", str(db)])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if "no words found" in line]
    assert len(warned) == 2 and "numbers.txt" in warned[0] and "punct.txt" in warned[1]
    listed = [json.loads(line) for line in runner.invoke(app, ["documents", "--db", str(db), "--json"]).stdout.splitlines()]
    assert sorted(d["name"] for d in listed) == ["numbers.txt", "prose.txt", "punct.txt"]


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


def test_unexpected_error_is_one_line_without_traceback(tmp_path, monkeypatch, capsys):
    import sys

    from bestpersons_cli import cli, store

    def broken(*args, **kwargs):
        raise RuntimeError("disk controller on fire")

    monkeypatch.setattr(store, "connect", broken)
    monkeypatch.setattr(sys, "argv", ["bp", "documents", "--db", str(tmp_path / "x.sqlite")])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "unexpected RuntimeError: disk controller on fire" in lines[0]
    assert "Traceback" not in lines[0]
    monkeypatch.setattr(sys, "argv", ["bp", "--debug", "documents", "--db", str(tmp_path / "x.sqlite")])
    with pytest.raises(RuntimeError, match="on fire"):
        cli.main()


def test_two_processes_ingest_into_one_database(tmp_path):
    """Real processes on the same SQLite file: both finish, and every document is whole."""
    import sqlite3
    import subprocess
    import sys

    folders = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        for i in range(3):
            (folder / f"{name}{i}.txt").write_text(f"Tekst {name}{i}. " + "De buurt werkt samen aan een moestuin. " * 40, encoding="utf-8")
        folders.append(folder)
    db = tmp_path / "shared.sqlite"
    script = "import sys; from bestpersons_cli.cli import main; sys.argv = ['bp'] + sys.argv[1:]; main()"
    procs = [
        subprocess.Popen([sys.executable, "-c", script, "ingest", str(f), "--db", str(db)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for f in folders
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    names = {r[0] for r in conn.execute("SELECT name FROM documents")}
    assert names == {f"{n}{i}.txt" for n in "ab" for i in range(3)}
    per_doc = dict(conn.execute("SELECT d.name, count(s.uid) FROM documents d JOIN sentences s ON s.document_id = d.id GROUP BY d.id"))
    assert len(set(per_doc.values())) == 1 and min(per_doc.values()) > 0


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_killed_ingest_leaves_whole_documents_and_the_next_run_completes(tmp_path, signum):
    """SIGKILL or Ctrl-C in the middle of a run: every stored document is complete, none
    half written, no traceback, and running again ingests exactly the rest."""
    import sqlite3
    import subprocess
    import sys
    import time

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(12):
        paragraph = f"Document {i}. " + " ".join(f"Zin {j} over de wijk en de vrijwilligers van buurthuis {i}." for j in range(400))
        (folder / f"doc{i:02d}.txt").write_text(paragraph + "\n", encoding="utf-8")
    db = tmp_path / "bp.sqlite"
    script = "import sys; from bestpersons_cli.cli import main; sys.argv = ['bp'] + sys.argv[1:]; main()"
    proc = subprocess.Popen([sys.executable, "-c", script, "ingest", str(folder), "--db", str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stored = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and stored == 0:
        time.sleep(0.05)
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as probe:
                    stored = probe.execute("SELECT count(*) FROM documents").fetchone()[0]
            except sqlite3.OperationalError:
                pass
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode != 0 and "Traceback" not in stderr, stderr
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    counts = [n for (n,) in conn.execute("SELECT count(s.uid) FROM documents d LEFT JOIN sentences s ON s.document_id = d.id GROUP BY d.id")]
    assert 1 <= len(counts) < 12, "the run must be killed mid-way for this test to mean anything"
    assert len(set(counts)) == 1 and counts[0] > 400  # every stored document is whole
    conn.close()
    again = runner.invoke(app, ["ingest", str(folder), "--db", str(db)])
    assert again.exit_code == 0, again.output
    assert f"{12 - len(counts)} ingested, {len(counts)} unchanged, 0 failed" in again.output
