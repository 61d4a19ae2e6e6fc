"""Reading page files: size caps, gzip, format sniffing and text decoding."""

import codecs
import json
import math
import os
import re
import stat
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
# Control characters (C0, DEL, C1) and lone surrogates: never in output strings (tab, newline ok).
UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# libxml2 (lxml, hence trafilatura) keeps at most about 255 levels of nesting and silently drops
# what lies deeper; parsing far deeper markup only burns time. Pages past this are rejected.
MAX_MARKUP_DEPTH = 1000
# Elements that never hold others or that the HTML parser closes implicitly: not counted.
_NOT_NESTING = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "keygen",
        "p",
        "li",
        "dt",
        "dd",
        "option",
        "optgroup",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "tfoot",
        "colgroup",
        "rp",
        "rt",
    ]
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)([^<>]*?)(/?)>")
_RAW_TEXT = re.compile(r"<(script|style|textarea|title)\b[^>]*>.*?</\1\s*>", re.I | re.S)

# Preferred when the detector finds several single-byte encodings equally plausible: cp1252 is
# what the web means by latin-1 (WHATWG), so Western text declared wrongly decodes as written.
TIE_PREFERENCE = ("cp1252", "utf_8", "cp1251", "koi8_r", "cp1250", "iso8859_15")
# Labels that mean their Windows superset on the web (WHATWG Encoding Standard): pages declaring
# latin-1 use the 0x80-0x9F range for quotes, dashes and the euro sign.
WEB_SUPERSETS = {"ascii": "cp1252", "iso8859-1": "cp1252", "iso8859-9": "cp1254"}
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_HIGH_BYTES = bytes(range(128, 256))
SIDECAR_MAX_DEPTH = 32


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
    """The file's bytes, refusing files over the cap before reading them.

    The size and kind are checked on the opened file itself, so a file swapped for a FIFO, a
    device or a bigger file between listing and reading is refused, never waited on or slurped.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError as exc:
        raise PageRejected(RejectReason.missing, f"file vanished before reading: {exc}") from exc
    except OSError as exc:
        raise PageRejected(RejectReason.unreadable, f"{type(exc).__name__}: {exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise PageRejected(RejectReason.unreadable, "not a regular file")
        if info.st_size > max_file_bytes:
            raise PageRejected(
                RejectReason.too_large, f"{info.st_size} bytes on disk, cap is {max_file_bytes}"
            )
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_file_bytes + 1)
    except OSError as exc:
        raise PageRejected(RejectReason.unreadable, f"{type(exc).__name__}: {exc}") from exc
    finally:
        os.close(fd)
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
    controls = len(head) - len(head.translate(None, CONTROL_BYTES))  # deleting them counts them
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
    """Text and the encoding used: BOM, declared charset, UTF-8 (whole, or with a few stray
    single-byte characters), detection, then replacement."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace"), f"{encoding} (BOM)"
    declared = _declared_charset(data) if fmt is PageFormat.html else None
    if declared and declared not in ("utf-8", "utf8"):
        for encoding in dict.fromkeys((WEB_SUPERSETS.get(declared, declared), declared)):
            try:
                return data.decode(encoding), encoding
            except (UnicodeDecodeError, LookupError):
                pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        return data.decode("utf-8", "cp1252_fallback"), "utf-8 (stray bytes as cp1252)"
    if not data[: SNIFF_BYTES * 4].isascii() and (text := _detect(data)) is not None:
        return text
    return data.decode("utf-8", "replace"), "utf-8 (replaced)"


def _mostly_utf8(data: bytes) -> bool:
    """Whether valid UTF-8 sequences outnumber the stray high bytes: a UTF-8 page with a few
    characters pasted from a single-byte encoding (or cut mid-character), where a detector
    guessing one encoding for the whole page would garble all of its text."""
    sequences = _UTF8_MULTIBYTE.findall(data)
    if not sequences:
        return False
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    stray = high - sum(map(len, sequences))
    return stray <= len(sequences)


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 rejects as windows-1252 (latin-1 for its five unused bytes)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    chunk = error.object[error.start : error.end]
    return "".join(_cp1252_byte(b) for b in chunk), error.end


def _cp1252_byte(value: int) -> str:
    byte = bytes([value])
    try:
        return byte.decode("cp1252")
    except UnicodeDecodeError:
        return byte.decode("latin-1")


codecs.register_error("cp1252_fallback", _cp1252_fallback)


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
    matches = from_bytes(data[: 256 * 1024])
    best = matches.best()
    if best is None or best.encoding is None:
        return None
    encoding = _prefer(best, matches)
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError):
        return data.decode(encoding, "replace"), f"{encoding} (replaced)"


def _prefer(best, matches) -> str:
    """Among encodings the detector finds as plausible as its best, the most common on the web."""
    tied = {best.encoding, *best.could_be_from_charset}
    for match in matches:
        if match.chaos == best.chaos and match.coherence == best.coherence:
            tied.add(match.encoding)
            tied.update(match.could_be_from_charset)
    for name in TIE_PREFERENCE:
        if name in tied:
            return name
    return best.encoding


def strip_invalid_chars(text: str) -> str:
    """Drop NUL and other characters that neither XML parsers nor readers should see."""
    return XML_INVALID_CHARS.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


def markup_depth(html: str, stop_at: int = MAX_MARKUP_DEPTH) -> int:
    """How deep the elements nest (a cheap over-estimate; stops counting past `stop_at`)."""
    if html.count("<") <= stop_at:
        return 0  # cannot nest deeper than it has tags
    depth = deepest = 0
    for match in _TAG.finditer(_RAW_TEXT.sub("", html)):
        closing, name, _, self_closing = match.groups()
        name = name.lower()
        if name in _NOT_NESTING or self_closing:
            continue
        if closing:
            depth = max(0, depth - 1)
        else:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_at:
                    break
    return deepest


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
    """The page's sidecar metadata (a JSON object) and warnings about what was unusable.

    A sidecar never stops its page: whatever is wrong with it (not JSON, not an object, too big,
    nested too deeply, a link, NaN, lone surrogates, control characters) becomes a warning.
    """
    side = sidecar_path(path)
    try:
        if side.is_symlink():
            return {}, ["sidecar is a symbolic link, ignored"]
        if not side.is_file():
            return {}, []
        if side.stat().st_size > max_bytes:
            return {}, [f"sidecar over {max_bytes} bytes, ignored"]
        with side.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
        if len(raw) > max_bytes:
            return {}, [f"sidecar over {max_bytes} bytes, ignored"]
        value = json.loads(raw.decode("utf-8", "replace"), parse_constant=_not_a_number)
    except (OSError, ValueError, RecursionError) as exc:
        return {}, [f"sidecar unreadable or not JSON, ignored: {type(exc).__name__}"]
    if not isinstance(value, dict):
        return {}, [f"sidecar is a JSON {type(value).__name__}, not an object, ignored"]
    try:
        return _safe_json(value, 0), []
    except RecursionError:
        return {}, [f"sidecar nested deeper than {SIDECAR_MAX_DEPTH} levels, ignored"]


def _not_a_number(name: str) -> None:
    """NaN and Infinity are not JSON: read as null, so that source_meta stays valid JSON."""
    return None


def safe_string(value: str) -> str:
    """Valid UTF-8 without control characters other than tab and newline."""
    return UNSAFE_CHARS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _safe_json(value: object, depth: int) -> object:
    if depth > SIDECAR_MAX_DEPTH:
        raise RecursionError
    if isinstance(value, str):
        return safe_string(value)
    if isinstance(value, dict):
        return {safe_string(str(k)): _safe_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_safe_json(v, depth + 1) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
