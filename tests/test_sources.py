"""Reading what colleagues send: every encoding Word and editors write, and a clear
one-line refusal of files that are not text."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from bestpersons_cli.errors import BpError
from bestpersons_cli.sources import find_inputs, read_document

DUTCH = "Café De Ploeg: ideeën voor ’s avonds, € 5 per persoon; de wijkcoach zegt ‘graag’.\n" * 3


@pytest.mark.parametrize(
    ("encoding", "data", "recorded"),
    [
        ("utf-8", DUTCH.encode("utf-8"), "utf-8"),
        ("utf-8 with BOM", DUTCH.encode("utf-8-sig"), "utf-8-sig"),
        ("utf-16 with BOM (little-endian)", DUTCH.encode("utf-16"), "utf-16"),
        ("utf-16 with BOM (big-endian)", b"\xfe\xff" + DUTCH.encode("utf-16-be"), "utf-16"),
        ("utf-32 with BOM", DUTCH.encode("utf-32"), "utf-32"),
        ("windows-1252", DUTCH.encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_decode_to_the_same_text(tmp_path: Path, encoding: str, data: bytes, recorded: str) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(data)
    raw = read_document(path)
    assert raw.text == DUTCH, encoding
    assert raw.encoding == recorded


def test_latin1_without_euro_sign(tmp_path: Path) -> None:
    text = "De coördinator van het buurthuis gaf ideeën over de één-op-één begeleiding.\n" * 3
    path = tmp_path / "latin.txt"
    path.write_bytes(text.encode("latin-1"))
    raw = read_document(path)
    assert raw.text == text and raw.encoding in ("cp1252", "iso8859_15", "latin_1")


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document>" + "tekst " * 200 + "</w:document>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8),
        ("docx", _docx_bytes()),
        ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n" + bytes(range(128, 256)) * 8 + b"\x00\x01\x02\x03" * 4),
        ("nul-heavy", b"tekst\x00" * 100),
    ],
)
def test_non_text_is_refused_in_one_line_naming_the_file(tmp_path: Path, kind: str, data: bytes) -> None:
    path = tmp_path / f"renamed {kind}.txt"
    path.write_bytes(data)
    with pytest.raises(BpError) as caught:
        read_document(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert "binary" in message or "encoding" in message


def test_stray_nul_in_long_text_is_text(tmp_path: Path) -> None:
    path = tmp_path / "nul.txt"
    path.write_bytes(("Een gewone zin over de wijk. " * 200 + "Hier\x00 staat een NUL.\n").encode("utf-8"))
    assert "\x00" in read_document(path).text  # cleaning drops it, logged as control-char


@pytest.mark.parametrize("content", ["", "   \n\t\n", "\ufeff"])
def test_empty_or_whitespace_only(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BpError, match="empty"):
        read_document(path)


def test_paths_with_spaces_non_ascii_symlinks_and_duplicates(tmp_path: Path) -> None:
    folder = tmp_path / "map met spaties é"
    folder.mkdir()
    real = folder / "verslag één.txt"
    real.write_text("Tekst.\n", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    found, errors = find_inputs([folder, real, link, tmp_path / "absent.txt"])
    assert found == [real, link] and read_document(link).text == "Tekst.\n"
    assert [str(e) for e in errors] == [f"{tmp_path / 'absent.txt'}: no such file or folder"]


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    path = tmp_path / "locked.txt"
    path.write_text("Tekst.\n", encoding="utf-8")

    def denied(self):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(BpError, match=r"locked.txt: cannot read: Permission denied"):
        read_document(path)
