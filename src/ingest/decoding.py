"""Page bytes to text: gzip, binary and HTML/text sniffing, charset decoding, cleanup."""

import codecs
import re
import zlib
from dataclasses import dataclass
from enum import StrEnum

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
# HTML sniffing. A text dump often opens with a stray fragment of markup (ad code, a script, a
# link, a lone div), so a leading tag alone says nothing: HTML needs document structure near the
# top, or markup making up most of the bytes, or many block elements.
MARKUP_SNIFF_BYTES = 65536
LEADING_STRUCTURE = re.compile(
    rb"(?:\s|<!--.*?-->)*<(?:!doctype\s*html|html[\s>]|head[\s>]|body[\s>]|\?xml[\s?])",
    re.IGNORECASE | re.DOTALL,
)
STRUCTURE_TAG = re.compile(rb"<(?:!doctype\s*html|html|head|body)[\s>]", re.IGNORECASE)
RAW_TEXT_ELEMENT = re.compile(
    rb"<(script|style|noscript|template)\b[^>]*>.*?(?:</\1\s*>|$)|<!--.*?(?:-->|$)",
    re.IGNORECASE | re.DOTALL,
)
MARKUP_TAG = re.compile(
    rb"</?[a-zA-Z][a-zA-Z0-9:-]*(?:\s[^<>]{0,4000})?/?>|<![a-zA-Z][^<>]{0,4000}>|<\?[^<>]{0,4000}\?>"
)
BLOCK_TAG = re.compile(
    rb"<(?:p|div|br|li|ul|ol|h[1-6]|table|tr|td|section|article|nav|header|footer|blockquote"
    rb"|pre|form|dl|dt|dd|main|aside|figure)[\s/>]",
    re.IGNORECASE,
)
WHITESPACE = re.compile(rb"\s+")
# Measured on the bench corpora (benchmarks/sniffing.py): text dumps before a structure tag
# carry paragraphs of text, HTML pages at most scripts, styles and a few hundred bytes of text.
MAX_TEXT_BEFORE_STRUCTURE = 1024
MIN_MARKUP_SHARE = 0.6  # of the non-space bytes; text dumps with ad code peak near 0.5
MIN_MARKUP_PIECES = 8
MIN_BLOCK_TAGS = 50  # text dumps quoting code reach about 35 in their first 64 KiB
MIN_TAG_LINES = 5
MIN_TAG_LINE_SHARE = 0.6
XML_INVALID_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

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


class PageFormat(StrEnum):
    html = "html"
    text = "text"


@dataclass(frozen=True, slots=True)
class DecodedPage:
    text: str
    format: PageFormat
    encoding: str
    raw_bytes: int  # size of the page once inflated


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
    """HTML when the bytes have the structure of a document, else text."""
    head = data[:MARKUP_SNIFF_BYTES]
    if any(head.startswith(bom) for bom, _ in BOMS[:2] + BOMS[3:]) or (
        not head.startswith(codecs.BOM_UTF8) and _looks_utf16(head)
    ):
        head = _decode_head(head).encode("utf-8", "replace")
    elif head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    return PageFormat.html if looks_like_html(head) else PageFormat.text


def looks_like_html(head: bytes) -> bool:
    """Whether the (ASCII-compatible) start of a page is an HTML (or XML) document."""
    if LEADING_STRUCTURE.match(head):
        return True
    if b"<" not in head:
        return False
    markup = RAW_TEXT_ELEMENT.sub(b" ", head)
    structure = STRUCTURE_TAG.search(markup)
    if structure and _visible_bytes(markup[: structure.start()]) < MAX_TEXT_BEFORE_STRUCTURE:
        return True
    if len(BLOCK_TAG.findall(markup)) >= MIN_BLOCK_TAGS or _mostly_tag_lines(markup):
        return True
    pieces = len(MARKUP_TAG.findall(markup)) + len(RAW_TEXT_ELEMENT.findall(head))
    everything = len(WHITESPACE.sub(b"", head))
    visible = _visible_bytes(markup)
    if visible == 0:
        return True  # nothing but markup and scripts
    return pieces >= MIN_MARKUP_PIECES and visible < (1 - MIN_MARKUP_SHARE) * everything


def _visible_bytes(markup: bytes) -> int:
    """Non-space bytes outside tags (raw-text elements already removed)."""
    return len(WHITESPACE.sub(b"", MARKUP_TAG.sub(b" ", markup)))


def _mostly_tag_lines(markup: bytes) -> bool:
    """An HTML fragment written a tag a line: most lines open with a tag and close with one."""
    lines = [line.strip() for line in markup.splitlines() if line.strip()]
    if len(lines) < MIN_TAG_LINES:
        return False
    tagged = sum(1 for line in lines if line.startswith(b"<") and line.endswith(b">"))
    return tagged >= MIN_TAG_LINE_SHARE * len(lines)


def _decode_head(head: bytes) -> str:
    text, _ = decode(head, PageFormat.text)
    return text


def decode(data: bytes, fmt: PageFormat, container_charset: str | None = None) -> tuple[str, str]:
    """Text and the encoding used: BOM, the charset the container declares (HTTP Content-Type),
    the page's own declared charset (HTML), UTF-8 (whole, or with a few stray single-byte
    characters), detection, then replacement."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace"), f"{encoding} (BOM)"
    for declared in (
        charset_name(container_charset),
        _declared_charset(data) if fmt is PageFormat.html else None,
    ):
        if declared and (found := _decode_declared(data, declared)) is not None:
            return found
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        return data.decode("utf-8", "cp1252_fallback"), "utf-8 (stray bytes as cp1252)"
    if not data[: SNIFF_BYTES * 4].isascii() and (text := _detect(data)) is not None:
        return text
    return data.decode("utf-8", "replace"), "utf-8 (replaced)"


def _decode_declared(data: bytes, declared: str) -> tuple[str, str] | None:
    """The text in a declared single- or multi-byte charset; None when it does not fit (UTF-8 is
    left to the UTF-8 steps below, which also mend stray bytes)."""
    if declared in ("utf-8", "utf8"):
        return None
    for encoding in dict.fromkeys((WEB_SUPERSETS.get(declared, declared), declared)):
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            pass
    return None


def charset_name(label: str | None) -> str | None:
    """Python's name for a charset label, or None when it names no known codec."""
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().strip("\"'").lower()).name
    except LookupError:
        return None


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
    return charset_name((match.group(1) or match.group(2)).decode("ascii", "ignore"))


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


def decode_page(
    data: bytes,
    max_inflated_bytes: int,
    container_charset: str | None = None,
    format_hint: PageFormat | str | None = None,
) -> DecodedPage:
    """Inflate, sniff and decode a page's bytes, or raise PageRejected.

    `container_charset` is the charset the container declares (HTTP Content-Type), used before
    the page's own declaration; `format_hint` is the format the container declares ("html" or
    "text", as in Record.format_hint), used instead of sniffing.
    """
    if data.startswith(GZIP_MAGIC):
        data = inflate(data, max_inflated_bytes)
    if not data.strip():
        raise PageRejected(RejectReason.empty, "no bytes" if not data else "only whitespace")
    if reason := sniff_binary(data):
        raise PageRejected(RejectReason.binary, reason)
    fmt = PageFormat(format_hint) if format_hint else sniff_format(data)
    text, encoding = decode(data, fmt, container_charset)
    text = strip_invalid_chars(text)
    if not text.strip():
        raise PageRejected(RejectReason.empty, "only whitespace once decoded")
    if text.count("\ufffd") > 0.2 * len(text):
        raise PageRejected(RejectReason.undecodable, f"{encoding} leaves mostly replacement marks")
    return DecodedPage(text=text, format=fmt, encoding=encoding, raw_bytes=len(data))
