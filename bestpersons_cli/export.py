"""Coding out of the store: REFI-QDA projects and codebooks, and a flat table of segments.

REFI-QDA (www.qdasoftware.org) is the exchange standard NVivo, ATLAS.ti and MAXQDA
import. A project (`.qdpx`) is a zip of `project.qde` (XML) and the plain text of every
source; a coded selection is a character range of that text, so `bp` exports the text
it ingested and the offsets it stored. GUIDs are derived from names (uuid5) and the zip
has fixed timestamps: the same store gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import uuid
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from . import __version__
from .codebook import Codebook
from .errors import BpError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
GUID_NAMESPACE = uuid.UUID("5b0f3c52-6a56-4f0e-9d64-0b6e0b5e2a11")  # this project's own namespace for uuid5
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def guid(*key: object) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(map(str, key))))


@dataclass(frozen=True)
class Segment:
    """One code on one sentence or quote: a row of `bp export csv`."""

    document: str
    target: str  # "sentence" or "quote"
    uid: str
    start: int
    end: int
    page: int | None
    section: str | None
    code: str
    code_name: str
    probability: float
    assigned: bool
    model_id: str
    text: str


def coded_segments(conn: sqlite3.Connection, codebook: Codebook, min_confidence: float | None = None) -> list[Segment]:
    """Codes the model assigned (or, with `min_confidence`, every code at least that
    probable) on every stored sentence and quote, in document order."""
    names = {c.id: c.name for c in codebook.codes}
    rows = conn.execute(
        """
        SELECT d.name AS document, p.target, p.target_uid AS uid, t.start, t."end", t.page, t.section, p.code,
               p.probability, p.assigned, p.model_id, t.text, t.ordinal
        FROM predictions p
        JOIN (SELECT 'sentence' AS target, uid, document_id, start, "end", page, section, text, ordinal FROM sentences
              UNION ALL
              SELECT 'quote', uid, document_id, start, "end", page, section, text, ordinal FROM quotes) t
          ON t.target = p.target AND t.uid = p.target_uid
        JOIN documents d ON d.id = t.document_id
        WHERE p.model_id = (SELECT id FROM models ORDER BY created_at DESC, rowid DESC LIMIT 1)
        ORDER BY d.name, t.start, p.target DESC, t.ordinal, p.code
        """
    ).fetchall()
    if not rows and conn.execute("SELECT 1 FROM predictions LIMIT 1").fetchone() is None:
        raise BpError("nothing is classified yet; run `bp classify` (or `bp run`) first")
    segments = []
    for r in rows:
        keep = r["probability"] >= min_confidence if min_confidence is not None else bool(r["assigned"])
        if keep and r["code"] in names:
            segments.append(
                Segment(r["document"], r["target"], r["uid"], r["start"], r["end"], r["page"], r["section"], r["code"],
                        names[r["code"]], round(r["probability"], 6), bool(r["assigned"]), r["model_id"], r["text"])
            )
    return segments


def segments_csv(segments: list[Segment]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(Segment.__dataclass_fields__), lineterminator="\n")
    writer.writeheader()
    for segment in segments:
        writer.writerow(asdict(segment))
    return out.getvalue()


# --- REFI-QDA ---------------------------------------------------------------------------------


def _codes_element(parent: ET.Element, ns: str, codebook: Codebook) -> None:
    """Blocks as parent codes (not codable themselves), the codebook's codes inside."""
    codes = ET.SubElement(parent, f"{{{ns}}}Codes")
    for block in codebook.blocks:
        block_code = ET.SubElement(codes, f"{{{ns}}}Code", guid=guid("block", codebook.name, block.id),
                                   name=f"{block.id} {block.name}", isCodable="false")
        ET.SubElement(block_code, f"{{{ns}}}Description").text = block.description
        for code in codebook.codes_in_block(block.id):
            element = ET.SubElement(block_code, f"{{{ns}}}Code", guid=guid("code", codebook.name, code.id),
                                    name=f"{code.id} {code.name}", isCodable="true")
            ET.SubElement(element, f"{{{ns}}}Description").text = code.definition


def _xml(root: ET.Element, ns: str) -> bytes:
    ET.register_namespace("", ns)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def codebook_qdc(codebook: Codebook) -> bytes:
    """The codebook alone, as a REFI-QDA codebook (`.qdc`)."""
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", origin=f"bestpersons-cli {__version__}")
    _codes_element(root, CODEBOOK_NS, codebook)
    return _xml(root, CODEBOOK_NS)


def project_qde(codebook: Codebook, texts: dict[str, str], segments: list[Segment]) -> bytes:
    ns = PROJECT_NS
    user = guid("user", "bp")
    root = ET.Element(f"{{{ns}}}Project", name=f"{codebook.name} (bp)", origin=f"bestpersons-cli {__version__}",
                      creatingUserGUID=user)
    users = ET.SubElement(root, f"{{{ns}}}Users")
    ET.SubElement(users, f"{{{ns}}}User", guid=user, name="bp (automatic coding)")
    _codes_element(ET.SubElement(root, f"{{{ns}}}CodeBook"), ns, codebook)
    sources = ET.SubElement(root, f"{{{ns}}}Sources")
    by_document: dict[str, list[Segment]] = {}
    for segment in segments:
        by_document.setdefault(segment.document, []).append(segment)
    for name in sorted(texts):
        source_guid = guid("source", name)
        source = ET.SubElement(sources, f"{{{ns}}}TextSource", guid=source_guid, name=name,
                               plainTextPath=f"internal://{source_guid}.txt", creatingUser=user)
        selections: dict[str, list[Segment]] = {}
        for segment in by_document.get(name, []):
            selections.setdefault(segment.uid, []).append(segment)
        for uid, coded in selections.items():
            first = coded[0]
            selection = ET.SubElement(source, f"{{{ns}}}PlainTextSelection", guid=guid("selection", uid), name=uid,
                                      startPosition=str(first.start), endPosition=str(first.end), creatingUser=user)
            ET.SubElement(selection, f"{{{ns}}}Description").text = (
                f"bp model {first.model_id}: " + ", ".join(f"{s.code} p={s.probability:.2f}" for s in coded)
            )
            for s in coded:
                coding = ET.SubElement(selection, f"{{{ns}}}Coding", guid=guid("coding", uid, s.code), creatingUser=user)
                ET.SubElement(coding, f"{{{ns}}}CodeRef", targetGUID=guid("code", codebook.name, s.code))
    return _xml(root, ns)


def qdpx_bytes(codebook: Codebook, texts: dict[str, str | None], segments: list[Segment]) -> bytes:
    """The project and every source's text in one zip, with fixed timestamps."""
    missing = sorted(name for name, text in texts.items() if text is None)
    if missing:
        raise BpError(f"{len(missing)} document(s) were stored without their text ({missing[0]} …), by a bp before schema 2; ingest them again (`bp ingest`) first")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)

        add("project.qde", project_qde(codebook, texts, segments))
        for name in sorted(texts):
            add(f"sources/{guid('source', name)}.txt", texts[name].encode("utf-8"))
    return buffer.getvalue()


def write_bytes(path: Path, data: bytes) -> None:
    """To a temporary file first, then renamed: a full disk never leaves half a file."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BpError(f"cannot write: {exc.strerror}", path) from None
