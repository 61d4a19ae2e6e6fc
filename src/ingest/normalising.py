"""Unicode repair (ftfy) and whitespace regularisation; the text's meaning never changes."""

import re
import unicodedata

from ftfy import TextFixerConfig, fix_text

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

# ftfy is slow (about 0.5 MB/s here); a line goes through it only when this finds a sign of
# something ftfy would fix: mojibake pairs (UTF-8 read as cp1252/latin-1 or cp1251), control
# characters, HTML entities, ligatures, surrogates, replacement marks, terminal escapes.
_CP1252_TAIL = (
    "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
_CP1251_TAIL = "\u0402\u0403\u0405-\u040c\u040e\u040f\u0452-\u045c\u045e\u045f\u0490\u0491\u2116"
NEEDS_FTFY = re.compile(
    f"[\u00c2-\u00f4][{_CP1252_TAIL}]"
    f"|[\u0420\u0421\u0432][{_CP1251_TAIL}\u201a\u201e\u2026\u2020\u2021\u20ac\u2030\u2039\u2018"
    "\u2019\u201c\u201d\u2022\u2013\u2014\u2122\u203a\u00a0\u00a4\u00a6\u00a7\u00a9\u00ab-\u00ae"
    "\u00b0\u00b1\u00b5-\u00b7\u00bb]"
    "|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufb00-\ufb06\ud800-\udfff\ufffd]"
    "|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});"
)
# The part of that check that ASCII text can trip: controls, escapes and entities.
ASCII_NEEDS_FTFY = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});"
)
ODD_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
INVISIBLES = re.compile("[\u200b\u2060\ufeff\u00ad]")
SPACE_RUNS = re.compile(" {2,}")
BLANK_RUNS = re.compile("\n{3,}")
LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85\x0b\x0c]")
SPACE_AT_LINE_ENDS = re.compile(" ?\n ?")


def fix_unicode(text: str) -> str:
    """ftfy over the lines that show something to fix; NFC for the rest."""
    check = ASCII_NEEDS_FTFY if text.isascii() else NEEDS_FTFY
    if check.search(text):
        text = "\n".join(
            fix_text(line, FIXER_CONFIG) if check.search(line) else line
            for line in text.split("\n")
        )
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def normalise_whitespace(text: str) -> str:
    """Plain spaces, no runs of them, no spaces at line ends, at most one blank line."""
    text = LINE_BREAKS.sub("\n", text)
    text = INVISIBLES.sub("", text)
    text = ODD_SPACES.sub(" ", text)
    text = SPACE_RUNS.sub(" ", text)
    text = SPACE_AT_LINE_ENDS.sub("\n", text)
    return BLANK_RUNS.sub("\n\n", text).strip()


def normalise(text: str) -> str:
    return normalise_whitespace(fix_unicode(LINE_BREAKS.sub("\n", text)))


def fixer_config_dict() -> dict[str, object]:
    return FIXER_CONFIG._asdict()
