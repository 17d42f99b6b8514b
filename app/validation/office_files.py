"""Zip checks made before an uploaded Office file (DOCX, XLSX) is opened.

A DOCX or XLSX is a zip archive. A few hundred kilobytes can unpack to gigabytes (a "zip
bomb"), and docxtpl, python-docx and openpyxl unpack whole parts into memory. So before any of
them opens an uploaded file, :func:`check_office_zip` reads only the archive's directory and
refuses a file with too many parts, too many bytes unpacked in all, or a part packed far
tighter than any real document. The limits are configuration (``JIEFEN_OFFICE_MAX_MEMBERS``,
``JIEFEN_OFFICE_MAX_UNPACKED_MB``, ``JIEFEN_OFFICE_MAX_RATIO``).

The sizes checked are the ones the archive declares; Python's ``zipfile``, which every one of
those libraries reads through, stops a part at its declared size (and fails its CRC check when
the data holds more), so a part cannot unpack to more than it declares.
"""
from __future__ import annotations

import io
import os
import struct
import zipfile
from typing import Union

from flask import current_app, has_app_context
from flask_babel import gettext

DEFAULT_MAX_MEMBERS = 200
DEFAULT_MAX_UNPACKED = 20 * 1024 * 1024
DEFAULT_MAX_RATIO = 100
# Small parts (content types, relationships, settings) legitimately pack very tightly; the
# ratio of a part only counts once it unpacks to more than this.
RATIO_FLOOR = 256 * 1024
# Bytes of directory allowed per part: a file's name and its extra fields; a directory far
# larger than the parts it claims is refused before ``zipfile`` parses it.
DIRECTORY_BYTES_PER_MEMBER = 320
_END_OF_DIRECTORY = b"PK\x05\x06"
_END_RECORD = struct.Struct("<4s4H2LH")
_END_SEARCH = _END_RECORD.size + 65535  # the record ends the file, after a comment of at most 64 KiB

Source = Union[bytes, bytearray, str, os.PathLike]


class OfficeFileRefused(ValueError):
    """An Office file not opened; ``reason`` is a sentence in the reader's language."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def limits() -> tuple[int, int, int]:
    """``(members, bytes unpacked, ratio)``: from the configuration, else the defaults."""
    config = current_app.config if has_app_context() else {}
    return (
        int(config.get("JIEFEN_OFFICE_MAX_MEMBERS") or DEFAULT_MAX_MEMBERS),
        int(config.get("JIEFEN_OFFICE_MAX_UNPACKED") or DEFAULT_MAX_UNPACKED),
        int(config.get("JIEFEN_OFFICE_MAX_RATIO") or DEFAULT_MAX_RATIO),
    )


def _tail(source: Source) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source[-_END_SEARCH:])
    with open(source, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        fh.seek(max(fh.tell() - _END_SEARCH, 0))
        return fh.read()


def _too_many(count: int, max_members: int) -> OfficeFileRefused:
    return OfficeFileRefused(gettext(
        "The file is made of %(count)s parts; at most %(limit)s are accepted. It was not opened.",
        count=count, limit=max_members))


def check_zip_directory(source: Source, max_members: int | None = None) -> None:
    """Refuse, from the end record alone, an archive that claims more than ``max_members``
    parts (default: the configured limit) or whose directory is too large to parse for that
    many (``zipfile`` builds an object for every entry, whatever count the end record gives).
    Enough before merely listing an archive's parts; :func:`check_office_zip` before opening it."""
    if max_members is None:
        max_members = limits()[0]
    tail = _tail(source)
    at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or len(tail) - at < _END_RECORD.size:
        raise OfficeFileRefused(gettext("This is not a Word or Excel file."))
    _sig, _disk, _cd_disk, _here, entries, directory_size, _offset, _comment = _END_RECORD.unpack_from(tail, at)
    if entries > max_members:
        raise _too_many(entries, max_members)
    if directory_size > max_members * DIRECTORY_BYTES_PER_MEMBER:
        raise OfficeFileRefused(gettext("The file's table of contents is too large. It was not opened."))


def check_office_zip(source: Source) -> None:
    """Raise :class:`OfficeFileRefused` unless ``source`` (the bytes, or a path) is a zip
    archive within the limits: parts, bytes unpacked in all, and packing ratio of each part."""
    max_members, max_unpacked, max_ratio = limits()
    check_zip_directory(source, max_members)
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise OfficeFileRefused(gettext("This is not a Word or Excel file.")) from None
    if len(members) > max_members:
        raise _too_many(len(members), max_members)
    unpacked = sum(m.file_size for m in members)
    if unpacked > max_unpacked:
        raise OfficeFileRefused(gettext(
            "Unpacked, the file would take %(size)s MB; at most %(limit)s MB are accepted. It was not opened.",
            size=_megabytes(unpacked), limit=_megabytes(max_unpacked)))
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > max_ratio * max(member.compress_size, 1):
            raise OfficeFileRefused(gettext(
                "A part of the file (%(name)s) is packed %(ratio)s times tighter than its content; no real "
                "document is. It was not opened.",
                name=member.filename[:80], ratio=member.file_size // max(member.compress_size, 1)))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")
