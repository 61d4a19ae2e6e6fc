"""Unicode repair (ftfy) and whitespace regularisation; the text's meaning never changes."""

import re
import unicodedata
from bisect import bisect_right

from ftfy import TextFixerConfig, fix_text

from ingest.text_dumps import drop_button_marks, drop_link_numbers, unwrap

# Explicit so that output files can record it; quotes and character widths are left as written.
FIXER_CONFIG = TextFixerConfig(
    unescape_html="auto",
    remove_terminal_escapes=True,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=True,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=True,
    fix_surrogates=True,
    remove_control_chars=True,
    normalization="NFC",
    explain=False,
)

# ftfy is slow (about 0.5 MB/s here): a line goes through it only when a cheap check finds a
# sign of something it would fix. Separate patterns, each with a simple start, scan far faster
# than one alternation: mojibake pairs (UTF-8 read as cp1252/latin-1, or as cp1251), control
# characters, ligatures, surrogates and replacement marks, HTML entities.
_CP1252_TAIL = (
    "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
_CP1251_TAIL = (
    "\u0402\u0403\u0405-\u040c\u040e\u040f\u0452-\u045c\u045e\u045f\u0490\u0491\u2116"
    "\u201a\u201e\u2026\u2020\u2021\u20ac\u2030\u2039\u2018\u2019\u201c\u201d\u2022"
    "\u2013\u2014\u2122\u203a\u00a0\u00a4\u00a6\u00a7\u00a9\u00ab-\u00ae\u00b0\u00b1"
    "\u00b5-\u00b7\u00bb"
)
LATIN_MOJIBAKE = re.compile(f"[\u00c2-\u00f4][{_CP1252_TAIL}]")
_CYRILLIC_HEADS = "\u0420\u0421\u0432"
CYRILLIC_MOJIBAKE = re.compile(f"[{_CYRILLIC_HEADS}][{_CP1251_TAIL}]")
ODD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufb00-\ufb06\ud800-\udfff\ufffd]")
ASCII_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
C1_CONTROLS = re.compile("[\x80-\x9f]")
ENTITY = re.compile("&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")

_LINE_END = re.compile("\n")
SPACE_RUNS = re.compile("  +")  # a literal prefix: scans several times faster than " {2,}"
LINE_BREAKS = "\u2028\u2029\x85\x0b\x0c"
INVISIBLES = "\u200b\u2060\ufeff\u00ad"
ODD_SPACES = "\t\u00a0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))


def fix_unicode(text: str) -> str:
    """ftfy over the lines that show something to fix; NFC for the rest."""
    if to_fix := _lines_to_fix(text):
        lines = text.split("\n")
        for i in to_fix:
            lines[i] = _fix_line(lines[i])
        text = "\n".join(lines)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def _lines_to_fix(text: str) -> list[int]:
    """The numbers of the lines that show a sign of something ftfy would fix: an HTML entity,
    a control character, a mojibake pair (UTF-8 read as cp1252/latin-1 or as cp1251), a
    ligature, a surrogate or a replacement mark. One scan of the text per sign rather than
    several per line (no sign spans a line break)."""
    signs = [ENTITY] if "&" in text else []
    if text.isascii():
        signs.append(ASCII_CONTROLS)
    else:
        signs += [LATIN_MOJIBAKE, ODD_CHARS]
        # most texts hold none of the three letters a cp1251 pair starts with: no scan for pairs
        if any(head in text for head in _CYRILLIC_HEADS):
            signs.append(CYRILLIC_MOJIBAKE)
    found = [m.start() for sign in signs for m in sign.finditer(text)]
    if not found:
        return []
    starts = [m.end() for m in _LINE_END.finditer(text)]
    return sorted({bisect_right(starts, pos) for pos in found})


def _fix_line(line: str) -> str:
    # C1 controls that cp1252 has no character for survive ftfy: they are never text.
    return C1_CONTROLS.sub("", fix_text(line, FIXER_CONFIG))


def _replace_each(text: str, chars: str, by: str) -> str:
    # `in` scans at GB/s; replacing only the characters present beats a regex pass.
    for char in chars:
        if char in text:
            text = text.replace(char, by)
    return text


def unify_line_breaks(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _replace_each(text, LINE_BREAKS, "\n")


def normalise_whitespace(text: str) -> str:
    """Plain spaces, no runs of them, no spaces at line ends, at most one blank line."""
    text = unify_line_breaks(text)
    text = _replace_each(text, INVISIBLES, "")
    text = _replace_each(text, ODD_SPACES, " ")
    if "  " in text:
        text = SPACE_RUNS.sub(" ", text)
    if " \n" in text:
        text = text.replace(" \n", "\n")
    if "\n " in text:
        text = text.replace("\n ", "\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def normalise(text: str) -> str:
    """Unicode repaired, a text browser's dump unwrapped and its link numbers dropped (before
    the indentation that tells them goes), whitespace regular."""
    text = unwrap(fix_unicode(unify_line_breaks(text)))
    return normalise_whitespace(drop_button_marks(drop_link_numbers(text)))


def fixer_config_dict() -> dict[str, object]:
    return FIXER_CONFIG._asdict()
