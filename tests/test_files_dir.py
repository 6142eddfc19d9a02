"""Tests never write into the checkout's var/files: each keeps documents and mail in a directory of its own."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from ardesk.comms import storage

CHECKOUT_FILES = Path(__file__).resolve().parents[1] / "var" / "files"


def test_each_test_has_a_files_directory_of_its_own(tmp_path):
    assert Path(settings.ARDESK_FILES_DIR) == tmp_path / "files"
    assert CHECKOUT_FILES not in Path(settings.ARDESK_FILES_DIR).parents


def test_mail_kept_by_a_test_lands_in_that_directory(tmp_path):
    name = storage.keep_raw(b"From: ap@customer.test\r\nSubject: hi\r\n\r\nhello\r\n")
    assert (tmp_path / "files" / name).read_bytes().endswith(b"hello\r\n")
