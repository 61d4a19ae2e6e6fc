"""Reading page files: size caps, gzip, format sniffing and text decoding."""

import codecs
import json
import re
import zlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from charset_normalizer import from_bytes

from ingest.rejection import PageRejected, RejectReason

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 8192
CHUNK = 1 << 16

BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF",
    b"PK\x03\x04",
    b"\x7fELF",
    b"MZ",
    b"RIFF",
    b"\x00\x00\x01\x00",
    b"BM",
    b"OggS",
    b"ID3",
    b"fLaC",
    b"\x1a\x45\xdf\xa3",
    b"7z\xbc\xaf",
    b"Rar!",
    b"BZh",
    b"\xfd7zXZ",
    b"\xca\xfe\xba\xbe",
    b"\xcf\xfa\xed\xfe",
    b"wOFF",
    b"\x00\x01\x00\x00\x00",
)
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""",
    re.IGNORECASE,
)
HTML_MARKERS = re.compile(
    rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s|<title[\s>]",
    re.IGNORECASE,
)
LEADING_TAG = re.compile(rb"\s*<(?:!--|!doctype|\?xml|[a-zA-Z][a-zA-Z0-9]*[\s/>])", re.IGNORECASE)
XML_INVALID_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class PageFormat(StrEnum):
    html = "html"
    text = "text"


@dataclass(frozen=True, slots=True)
class DecodedPage:
    text: str
    format: PageFormat
    encoding: str
    raw_bytes: int  # size of the page once inflated


def read_bytes(path: Path, max_file_bytes: int) -> bytes:
    """The file's bytes, refusing files over the cap before reading them."""
    try:
        size = path.stat().st_size
        if size > max_file_bytes:
            raise PageRejected(
                RejectReason.too_large, f"{size} bytes on disk, cap is {max_file_bytes}"
            )
        with path.open("rb") as fh:
            data = fh.read(max_file_bytes + 1)
    except FileNotFoundError as exc:
        raise PageRejected(RejectReason.missing, f"file vanished before reading: {exc}") from exc
    except (PermissionError, IsADirectoryError, OSError) as exc:
        raise PageRejected(RejectReason.unreadable, f"{type(exc).__name__}: {exc}") from exc
    if len(data) > max_file_bytes:
        raise PageRejected(RejectReason.too_large, f"grew past the cap of {max_file_bytes} bytes")
    return data


def inflate(data: bytes, max_inflated_bytes: int) -> bytes:
    """Gunzip (all members) without ever holding more than the cap."""
    out = bytearray()
    pending = data
    while pending:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        view = pending
        while view:
            try:
                out += inflater.decompress(view[:CHUNK], max_inflated_bytes + 1 - len(out))
            except zlib.error as exc:
                raise PageRejected(RejectReason.corrupt, f"damaged gzip data: {exc}") from exc
            if len(out) > max_inflated_bytes:
                raise PageRejected(
                    RejectReason.too_large, f"inflates past the cap of {max_inflated_bytes} bytes"
                )
            # Input the inflater did not take yet (output cap) stays in unconsumed_tail.
            view = inflater.unconsumed_tail + view[CHUNK:]
            if inflater.eof:
                break
        if not inflater.eof:
            raise PageRejected(RejectReason.corrupt, "gzip data ends before its stream does")
        pending = inflater.unused_data.lstrip(b"\x00")
        if pending and not pending.startswith(GZIP_MAGIC):
            break  # trailing garbage after the last member, as gzip(1) tolerates
    return bytes(out)


def sniff_binary(data: bytes) -> str | None:
    """A reason to believe the bytes are not text, or None."""
    head = data[:SNIFF_BYTES]
    if any(head.startswith(bom) for bom, _ in BOMS):
        return None
    for magic in BINARY_MAGIC:
        if head.startswith(magic) and not head[: len(magic) + 64].isascii():
            return f"starts like a binary file ({magic!r})"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"%PDF-", b"\x7fELF")):
        return "starts like a binary file"
    if _looks_utf16(head):
        return None
    controls = sum(head.count(bytes([b])) for b in CONTROL_BYTES)
    if head and controls / len(head) > 0.05:
        return f"{controls} control bytes in the first {len(head)}"
    return None


def _looks_utf16(head: bytes) -> bool:
    even, odd = head[0::2], head[1::2]
    return len(head) >= 8 and (even.count(0) > 0.4 * len(even) or odd.count(0) > 0.4 * len(odd))


def sniff_format(data: bytes) -> PageFormat:
    head = data[:SNIFF_BYTES]
    if any(head.startswith(bom) for bom, _ in BOMS[:2] + BOMS[3:]):
        head = _decode_head(head).encode("utf-8", "replace")
    elif head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    elif _looks_utf16(head):
        head = _decode_head(head).encode("utf-8", "replace")
    if LEADING_TAG.match(head) or HTML_MARKERS.search(head[:4096]):
        return PageFormat.html
    return PageFormat.text


def _decode_head(head: bytes) -> str:
    text, _ = decode(head, PageFormat.text)
    return text


def decode(data: bytes, fmt: PageFormat) -> tuple[str, str]:
    """Text and the encoding used: BOM, declared charset, UTF-8, detection, then replacement."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace"), f"{encoding} (BOM)"
    declared = _declared_charset(data) if fmt is PageFormat.html else None
    if declared and declared not in ("utf-8", "utf8"):
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if not data[: SNIFF_BYTES * 4].isascii() and (text := _detect(data)) is not None:
        return text
    return data.decode("utf-8", "replace"), "utf-8 (replaced)"


def _declared_charset(data: bytes) -> str | None:
    match = DECLARED_CHARSET.search(data[:4096])
    if not match:
        return None
    name = (match.group(1) or match.group(2)).decode("ascii", "ignore").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _detect(data: bytes) -> tuple[str, str] | None:
    best = from_bytes(data[: 256 * 1024]).best()
    if best is None or best.encoding is None:
        return None
    try:
        return data.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError):
        return data.decode(best.encoding, "replace"), f"{best.encoding} (replaced)"


def strip_invalid_chars(text: str) -> str:
    """Drop NUL and other characters that neither XML parsers nor readers should see."""
    return XML_INVALID_CHARS.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


def decode_page(data: bytes, max_inflated_bytes: int) -> DecodedPage:
    """Inflate, sniff and decode a page's bytes, or raise PageRejected."""
    if data.startswith(GZIP_MAGIC):
        data = inflate(data, max_inflated_bytes)
    if not data.strip():
        raise PageRejected(RejectReason.empty, "no bytes" if not data else "only whitespace")
    if reason := sniff_binary(data):
        raise PageRejected(RejectReason.binary, reason)
    fmt = sniff_format(data)
    text, encoding = decode(data, fmt)
    text = strip_invalid_chars(text)
    if not text.strip():
        raise PageRejected(RejectReason.empty, "only whitespace once decoded")
    if text.count("\ufffd") > 0.2 * len(text):
        raise PageRejected(RejectReason.undecodable, f"{encoding} leaves mostly replacement marks")
    return DecodedPage(text=text, format=fmt, encoding=encoding, raw_bytes=len(data))


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def load_sidecar(path: Path, max_bytes: int) -> tuple[dict[str, object], list[str]]:
    """The page's sidecar metadata (a JSON object) and warnings about what was unusable."""
    side = sidecar_path(path)
    try:
        if side.is_symlink() or not side.is_file():
            return {}, []
        if side.stat().st_size > max_bytes:
            return {}, [f"sidecar over {max_bytes} bytes, ignored"]
        value = json.loads(side.read_bytes().decode("utf-8", "replace"))
    except (OSError, ValueError) as exc:
        return {}, [f"sidecar unreadable or not JSON, ignored: {type(exc).__name__}"]
    if not isinstance(value, dict):
        return {}, [f"sidecar is a JSON {type(value).__name__}, not an object, ignored"]
    return value, []
