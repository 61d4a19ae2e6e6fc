"""An HTTP message body as the page: chunked transfer and content encodings undone."""

import io

from warcio.bufferedreaders import BufferedReader, ChunkedDataReader

from ingest.rejection import PageRejected, RejectReason


def decode_body(
    body: bytes, transfer_encoding: str | None, content_encoding: str | None, cap: int
) -> bytes:
    """The body with its encodings undone, at most `cap` bytes (else PageRejected too_large).

    Crawlers often store bodies already de-chunked or inflated while keeping the headers: a
    body that is not chunked or not compressed after all is taken as it is.
    """
    encoding = (content_encoding or "").strip().lower() or None
    if encoding not in BufferedReader.get_supported_decompressors():
        encoding = None
    stream = io.BytesIO(body)
    if (transfer_encoding or "").strip().lower() == "chunked":
        reader: io.RawIOBase | BufferedReader = ChunkedDataReader(stream, decomp_type=encoding)
    elif encoding:
        reader = BufferedReader(stream, decomp_type=encoding)
    else:
        return body if len(body) <= cap else _too_large(cap)
    try:
        data = reader.read(cap + 1)
        while len(data) <= cap and (more := reader.read(cap + 1 - len(data))):
            data += more
    except (OSError, ValueError, EOFError) as exc:
        raise PageRejected(RejectReason.corrupt, f"HTTP body undecodable: {exc}") from exc
    return data if len(data) <= cap else _too_large(cap)


def _too_large(cap: int) -> bytes:
    raise PageRejected(RejectReason.too_large, f"HTTP body decodes past the cap of {cap} bytes")
