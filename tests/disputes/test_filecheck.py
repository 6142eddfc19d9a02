"""The content check behind every document: what a file is comes from its bytes, not its name."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ardesk.disputes import filecheck
from ardesk.disputes.filecheck import FileRefused, check, clean_filename
from tests.disputes import samples


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("filename", "data", "kind", "content_type"), [
    ("pod.pdf", samples.PDF, "pdf", "application/pdf"),
    ("pallet.png", samples.png(), "png", "image/png"),
    ("damage.JPG", samples.JPEG, "jpeg", "image/jpeg"),
    ("scan.gif", samples.GIF, "gif", "image/gif"),
    ("photo.webp", samples.WEBP, "webp", "image/webp"),
    ("fax.tif", samples.TIFF, "tiff", "image/tiff"),
    ("IMG_0042.HEIC", samples.HEIC, "heic", "image/heic"),
    ("order.docx", samples.ooxml("docx"), "docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("prices.xlsx", samples.ooxml("xlsx"), "xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("contract.odt", samples.odt(), "odt", "application/vnd.oasis.opendocument.text"),
    ("old-order.doc", samples.OLE2, "ole2", "application/msword"),
    ("old-prices.xls", samples.OLE2, "ole2", "application/vnd.ms-excel"),
    ("lines.csv", samples.CSV, "csv", "text/csv; charset=utf-8"),
    ("note.txt", samples.TEXT, "text", "text/plain; charset=utf-8"),
    ("note-fr.txt", samples.LATIN1_TEXT, "text", "text/plain; charset=windows-1252"),
    ("complaint.eml", samples.EML, "eml", "message/rfc822"),
])
def test_every_kind_of_proof_is_kept_with_the_type_its_bytes_show(tmp_path, filename, data, kind, content_type):
    checked = check(_file(tmp_path, data), filename)
    assert (checked.type.name, checked.content_type) == (kind, content_type)


def test_a_real_spreadsheet_from_openpyxl_is_an_excel_workbook(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    workbook.active.append(["invoice", "amount"])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    assert check(path, "book.xlsx").type.name == "xlsx"


def test_only_pdf_and_images_may_be_shown_inline():
    inline = {name for name, kind in filecheck.TYPES.items() if kind.inline}
    assert inline == {"pdf", "png", "jpeg", "gif", "webp"}


@pytest.mark.parametrize(("filename", "data", "reason"), [
    ("invoice.pdf", samples.EXE, "invoice.pdf: is a Windows program"),
    ("photo.jpg", samples.HTML, "photo.jpg: is an HTML page or script"),
    ("logo.png", samples.SVG, "logo.png: is an SVG image"),
    ("run.pdf", b"#!/bin/sh\nrm -rf /\n", "run.pdf: is a script"),
    ("invoice.pdf", samples.png(), "invoice.pdf: is named like a PDF document but its content is a PNG image"),
    ("scan.jpg", samples.PDF, "scan.jpg: is named like a JPEG image but its content is a PDF document"),
    ("prices.xlsx", samples.ooxml("docx"), "prices.xlsx: is named like an Excel workbook but its content is a Word"),
    ("notes.txt", samples.PDF, "notes.txt: is named like plain text but its content is a PDF document"),
    ("report.html", samples.TEXT, "report.html: has a program's or web page's name"),
    ("tool.exe", samples.PDF, "tool.exe: has a program's or web page's name"),
    ("archive.zip", samples.plain_zip(), "archive.zip: is a ZIP archive, which ardesk does not keep"),
    ("blob.dat", bytes(range(256)) * 4, "blob.dat: is of a type ardesk does not recognise"),
    ("macro.xlsx", samples.ooxml("xlsm"), "macro.xlsx: contains macros"),
    ("empty.pdf", b"", "empty.pdf: is empty"),
])
def test_a_file_whose_content_is_refused_or_disagrees_with_its_name_is_refused_by_name(tmp_path, filename, data,
                                                                                     reason):
    with pytest.raises(FileRefused, match="^" + reason.replace("(", r"\(").replace(".", r"\.")) as refused:
        check(_file(tmp_path, data), filename)
    assert refused.value.field == "file"


def test_the_allowed_set_narrows_what_is_kept(tmp_path):
    with pytest.raises(FileRefused, match="is a PNG image, which ardesk does not keep"):
        check(_file(tmp_path, samples.png()), "a.png", allowed={"pdf"})


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """1 GB of zeros in a ZIP of about 1 MB, written as it is compressed."""
    return samples.zeros_zip(tmp_path_factory.mktemp("bomb") / "bomb.docx", megabytes=1024)


@pytest.mark.slow
def test_a_zip_bomb_is_refused_quickly_without_unpacking(zip_bomb):
    assert zip_bomb.stat().st_size < 2 * 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(FileRefused, match=r"bomb\.docx: would unpack to 1,073,741,824 bytes.*zip bomb"):
        check(zip_bomb, "bomb.docx")
    assert time.perf_counter() - started < 0.5


def test_a_zip_packed_tighter_than_the_ratio_limit_is_refused_even_under_the_size_limit(tmp_path):
    path = samples.zeros_zip(tmp_path / "dense.xlsx", megabytes=20)
    with pytest.raises(FileRefused, match=r"is compressed \d+:1; more than 100:1 is treated as a zip bomb"):
        check(path, "dense.xlsx")


def test_an_archive_whose_header_lies_about_its_size_is_caught_while_reading(tmp_path):
    path = samples.lying_zip(tmp_path / "lying.docx")
    with pytest.raises(FileRefused, match=r"lying\.docx: (is a damaged archive|the archive entry)"):
        check(path, "lying.docx")


def test_entry_count_and_total_limits_apply(tmp_path):
    path = _file(tmp_path, samples.ooxml("docx", {f"word/media/{i}.txt": b"x" for i in range(30)}))
    with pytest.raises(FileRefused, match="holds 32 entries; at most 10 are allowed"):
        filecheck.check(path, "many.docx", limits=filecheck.ZipLimits(max_entries=10))


@pytest.mark.parametrize("inner", ["word/embeddings/inner.zip", "word/media/looks-plain.bin"])
def test_a_zip_inside_a_document_is_refused(tmp_path, inner):
    path = _file(tmp_path, samples.ooxml("docx", {inner: samples.plain_zip()}))
    with pytest.raises(FileRefused, match=f"nested.docx: holds another archive \\('{inner}'\\)"):
        check(path, "nested.docx")


# --- file names -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("given_name", "cleaned"), [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\sue\\Desktop\\POD 4711.pdf", "POD 4711.pdf"),
    ("invoice\u202egpj.exe", "invoicegpj.exe"),
    ("..", "document"),
    ("  .hidden  ", "hidden"),
    ("a\x00b\nc.pdf", "abc.pdf"),
    ('what?"<>|*:.pdf', "what_______.pdf"),
    ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
])
def test_filenames_lose_folders_controls_and_excess(given_name, cleaned):
    assert clean_filename(given_name) == cleaned


@given(st.text(max_size=400))
def test_a_cleaned_filename_is_never_empty_never_a_path_and_stays_clean(name):
    cleaned = clean_filename(name)
    assert cleaned and len(cleaned) <= filecheck.MAX_FILENAME
    assert "/" not in cleaned and "\\" not in cleaned and cleaned not in (".", "..")
    assert not cleaned.startswith(".") and cleaned == cleaned.strip()
    assert not any(unicodedata.category(c).startswith("C") for c in cleaned)
    assert clean_filename(cleaned) == cleaned
