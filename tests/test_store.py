import sqlite3

import pytest

from bestpersons_cli import store
from bestpersons_cli.errors import BpError
from bestpersons_cli.ingest import DocumentStream, ingest_paths
from bestpersons_cli.sources import read_document


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_schema_version_is_set(tmp_path):
    conn = store.connect(tmp_path / "db.sqlite")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION


def test_other_schema_version_is_refused(tmp_path):
    path = tmp_path / "db.sqlite"
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 99")
    raw.close()
    with pytest.raises(BpError, match="schema 99"):
        store.connect(path)


def test_unchanged_file_is_skipped_and_changed_file_replaced(tmp_path, fallback):
    folder = tmp_path / "in"
    folder.mkdir()
    doc = write(folder / "010_test.txt", "Titel\n\nBest persons werken hard. Ze hebben ideeën.\n")
    conn = store.connect(tmp_path / "db.sqlite")
    first = ingest_paths([folder], conn, fallback)
    assert [d.name for d in first.ingested] == ["010_test.txt"]
    again = ingest_paths([folder], conn, fallback)
    assert again.skipped == ["010_test.txt"] and not again.ingested
    write(doc, "Titel\n\nEen andere tekst nu.\n")
    changed = ingest_paths([folder], conn, fallback)
    assert len(changed.ingested) == 1
    texts = [r["text"] for r in store.sentences(conn)]
    assert texts == ["Titel", "Een andere tekst nu."]


def test_bad_input_is_reported_and_others_still_go_in(tmp_path, fallback):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "a.txt", "Goede tekst hier.\n")
    (folder / "b.txt").write_bytes(b"\x00\x01\x02binary")
    write(folder / "c.txt", "   \n")
    conn = store.connect(tmp_path / "db.sqlite")
    report = ingest_paths([folder, tmp_path / "missing.txt"], conn, fallback)
    assert [d.name for d in report.ingested] == ["a.txt"]
    messages = [str(e) for e in report.errors]
    assert any("b.txt" in m and "binary" in m for m in messages)
    assert any("c.txt" in m and "empty" in m for m in messages)
    assert any("missing.txt" in m for m in messages)


def test_failed_write_leaves_the_database_as_it_was(tmp_path, fallback):
    path = write(tmp_path / "a.txt", "Eerste versie van de tekst.\n")
    conn = store.connect(tmp_path / "db.sqlite")
    store.write_document(conn, DocumentStream(read_document(path), fallback))
    write(path, "Tweede versie. Met meer zinnen.\n\n" * 40)

    class FailingInSecondPart(DocumentStream):
        def __iter__(self):
            for number, part in enumerate(super().__iter__()):
                if number == 1:
                    raise RuntimeError("disk gone")
                yield part

    with pytest.raises(RuntimeError):
        store.write_document(conn, FailingInSecondPart(read_document(path), fallback, part_chars=200))
    assert [r["text"] for r in store.sentences(conn)] == ["Eerste versie van de tekst."]


def test_latin1_file_is_decoded(tmp_path, fallback):
    path = tmp_path / "oud.txt"
    path.write_bytes("Financiële steun voor één wijk, café en privé-context.\n".encode("cp1252"))
    raw = read_document(path)
    assert "Financiële" in raw.text and raw.encoding != "utf-8"


def test_a_single_500000_character_line(tmp_path, fallback):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one-line.txt").write_text(("De wijkcoach werkt in de buurt en ziet veel. " * 11200)[:500_000] + "\n", encoding="utf-8")
    (folder / "no-stops.txt").write_text(("woord " * 90_000)[:500_000] + "\n", encoding="utf-8")
    conn = store.connect(tmp_path / "db.sqlite")
    report = ingest_paths([folder], conn, fallback)
    assert not report.errors and len(report.ingested) == 2
    counts = {d.name: d.sentences for d in report.ingested}
    assert counts["one-line.txt"] > 11_000 and counts["no-stops.txt"] >= 1


def test_several_spacy_processes_store_exactly_what_one_does(tmp_path, fallback):
    from conftest import CORPUS

    tables = []
    for workers in (1, 2):
        conn = store.connect(tmp_path / f"{workers}.sqlite")
        report = ingest_paths([CORPUS], conn, fallback, workers=workers)
        assert report.workers == workers and len(report.ingested) == 5
        tables.append([[tuple(r)[1:] for r in conn.execute(f"SELECT * FROM {t} ORDER BY id")] for t in ("sentences", "quotes", "dropped")])
    assert tables[0] == tables[1] and len(tables[0][0]) > 900


def test_workers_are_chosen_for_the_pipeline_and_the_input():
    from bestpersons_cli.ingest import choose_workers

    assert choose_workers(3, True, 10, 2) == 3  # asked for: given
    assert choose_workers(None, True, 50_000_000, 8) == 1  # fallback: cheaper in one process
    assert choose_workers(None, False, 5_000, 8) == 1  # a little text: starting processes costs more
    assert choose_workers(None, False, 5_000_000, 2) == 2
    assert choose_workers(None, False, 5_000_000, 16) == 4
    assert choose_workers(None, False, 5_000_000, None) == 1
