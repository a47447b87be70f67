"""Word, PDF and transcript files in: text, structure, pages and quotes (files built here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bestpersons_cli.errors import BpError
from bestpersons_cli.ingest import ingest_document
from bestpersons_cli.quotes import transcript_of
from bestpersons_cli.sources import find_inputs, read_document


def word_report(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("Wijkaanpak in Deventer", level=1)
    document.add_paragraph("De wijkcoach werkt al tien jaar in de buurt. Zij kent iedereen.")
    document.add_heading("Werkwijze", level=2)
    document.add_paragraph("Bewoners komen met ideeën voor het buurthuis.", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for (row, column), text in {(0, 0): "Jaar", (0, 1): "Aantal", (1, 0): "2019", (1, 1): "12"}.items():
        table.cell(row, column).text = text
    document.add_paragraph("Daarna volgde een evaluatie van het project.")
    document.save(path)
    return path


def word_transcript(path: Path, header: bool = True) -> Path:
    import docx

    document = docx.Document()
    if header:
        document.add_paragraph("Interview: 14")
        document.add_paragraph("Datum: 3 maart 2021")
    for line in [
        "I: Hoe bent u begonnen in de wijk?",
        "R: Ik begon als vrijwilliger bij het buurthuis. Later werd ik coördinator.",
        "[00:12:31] I: Wat was moeilijk?",
        "[00:12:40] R: De subsidie stopte ineens. Dat was een klap.",
    ]:
        document.add_paragraph(line)
    document.save(path)
    return path


PAGES = [
    "De wijkcoach werkt al tien jaar in de buurt en kent de bewoners.",
    "Bewoners komen met ideeen voor het buurthuis en de speeltuin.",
    "De subsidie stopte in 2019 ineens, en het project moest",
    "verder zonder geld. Daarna volgde een evaluatie van het project.",
]


def pdf_report(path: Path, first_page_label: int = 1) -> Path:
    from fpdf import FPDF

    class Report(FPDF):
        def header(self):
            self.set_font("Helvetica", size=9)
            self.cell(0, 8, "Rapport Wijkaanpak 2021", new_x="LMARGIN", new_y="NEXT")

        def footer(self):
            self.set_y(-15)
            self.set_font("Helvetica", size=9)
            self.cell(0, 8, f"Pagina {self.page_no()}", align="C")

    pdf = Report()
    for text in PAGES:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    if first_page_label != 1:  # printed numbering that starts later, as in a chapter
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(str(path)))
        writer.set_page_label(0, len(PAGES) - 1, style="/D", start=first_page_label)
        writer.write(str(path))
    return path


def test_word_paragraphs_headings_lists_and_tables(tmp_path, fallback):
    raw = read_document(word_report(tmp_path / "rapport.docx"))
    assert raw.encoding == "docx"
    doc = ingest_document(raw, fallback)
    found = [(s.kind, s.section, s.text) for s in doc.sentences]
    assert found == [
        ("heading", "Wijkaanpak in Deventer", "Wijkaanpak in Deventer"),
        ("text", "Wijkaanpak in Deventer", "De wijkcoach werkt al tien jaar in de buurt."),
        ("text", "Wijkaanpak in Deventer", "Zij kent iedereen."),
        ("heading", "Werkwijze", "Werkwijze"),
        ("bullet", "Werkwijze", "Bewoners komen met ideeën voor het buurthuis."),
        ("table", "Werkwijze", "Jaar | Aantal"),
        ("table", "Werkwijze", "2019 | 12"),
        ("text", "Werkwijze", "Daarna volgde een evaluatie van het project."),
    ]
    assert doc.title == "Wijkaanpak in Deventer"
    for s in doc.sentences:  # offsets point into the text the reader made
        assert raw.text[s.start:s.end] == s.text


@pytest.mark.parametrize("first_label", [1, 17])
def test_pdf_pages_come_from_the_pdf_and_running_headers_go(tmp_path, fallback, first_label):
    raw = read_document(pdf_report(tmp_path / "rapport.pdf", first_label))
    doc = ingest_document(raw, fallback)
    texts = [s.text for s in doc.sentences]
    assert texts == [
        PAGES[0], PAGES[1],
        "De subsidie stopte in 2019 ineens, en het project moest verder zonder geld.",  # runs on over the page break
        "Daarna volgde een evaluatie van het project.",
    ]
    assert [s.page for s in doc.sentences] == [first_label, first_label + 1, first_label + 2, first_label + 3]
    assert not any("Rapport Wijkaanpak" in t or "Pagina" in t for t in texts)
    headers = [d for d in doc.dropped if d.reason == "running-header"]
    assert len(headers) == 2 * len(PAGES) and {d.text.strip() for d in headers} >= {"Rapport Wijkaanpak 2021", "Pagina 1"}


def test_pdf_without_text_layer_needs_ocr(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 80, 120)  # what a scan looks like to a text extractor: no text
    pdf.output(str(tmp_path / "scan.pdf"))
    with pytest.raises(BpError, match=r"scan\.pdf: the PDF has no text layer .*OCR"):
        read_document(tmp_path / "scan.pdf")


def test_broken_word_and_pdf_files_are_one_line_errors(tmp_path):
    (tmp_path / "kapot.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "kapot.pdf").write_bytes(b"%PDF-1.4\n garbage without objects")
    for name in ("kapot.docx", "kapot.pdf"):
        with pytest.raises(BpError) as error:
            read_document(tmp_path / name)
        assert name in str(error.value) and "\n" not in str(error.value)


def test_folders_offer_word_and_pdf_files(tmp_path):
    word_report(tmp_path / "a.docx")
    pdf_report(tmp_path / "b.pdf")
    (tmp_path / "c.odt").write_bytes(b"x")
    files, errors = find_inputs([tmp_path])
    assert [p.name for p in files] == ["a.docx", "b.pdf"] and not errors


def test_word_transcript_turns_become_interview_quotes(tmp_path, fallback):
    raw = read_document(word_transcript(tmp_path / "gesprek.docx"))
    doc = ingest_document(raw, fallback)
    assert [(q.kind, q.source_id, q.number, q.text) for q in doc.quotes] == [
        ("interview", "interview 14", 14, "Ik begon als vrijwilliger bij het buurthuis. Later werd ik coördinator."),
        ("interview", "interview 14", 14, "De subsidie stopte ineens. Dat was een klap."),
    ]
    for q in doc.quotes:
        assert raw.text[q.start:q.end] == q.text
        covered = [s.text for s in doc.sentences if q.first_sentence <= s.ordinal <= q.last_sentence]
        assert " ".join(covered).endswith(q.text)


def test_text_transcript_takes_its_interview_id_from_the_file_name(tmp_path, fallback):
    path = tmp_path / "interview_07.txt"
    path.write_text(
        "Interviewer: Wat doet u in de buurt?\n"
        "Fatima el Amrani: Ik organiseer de kookavonden. Iedereen is welkom.\n"
        "Interviewer: En wat levert het op?\n"
        "Fatima el Amrani: Mensen kennen elkaar nu.\n",
        encoding="utf-8",
    )
    doc = ingest_document(read_document(path), fallback)
    assert [(q.source_id, q.number, q.text) for q in doc.quotes] == [
        ("interview 7", 7, "Ik organiseer de kookavonden. Iedereen is welkom."),
        ("interview 7", 7, "Mensen kennen elkaar nu."),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Noot: dit is een essay.\n\nDe wijk veranderde. Schema 1: de indeling.\n\nBron: CBS.\n",  # labels, no interview
        "I: Een vraag?\nR: Een antwoord.\n",  # too short to be sure
    ],
)
def test_prose_with_colons_is_no_transcript(text):
    assert transcript_of(text, "essay.txt") is None
