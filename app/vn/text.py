"""Text helpers that need nothing but the standard library (a sheet's reader process
imports them without the tables): diacritic folding, Vietnamese sort order, the characters
that are no text."""

import re
import unicodedata

# Characters that are no text: the control characters but tab and the line breaks, lone
# surrogates and the two non-characters U+FFFE/U+FFFF. Never typed, only pasted or forged;
# XML 1.0, so every .xlsx and .docx, cannot hold most of them, and PostgreSQL cannot store NUL.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


# Characters that change how text looks, not what it says: the direction controls (U+202E
# shows "gpj.exe" as "exe.jpg", a name read backwards) and the zero-width ones (invisible:
# "Nguyễn\u200bAn" and "NguyễnAn" read as one name and are two). Removed from every text typed,
# sent or imported (`visible`), never refused: they come pasted from other documents.
_INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def visible(text: str) -> str:
    """`text` without the direction controls and zero-width characters."""
    return _INVISIBLE.sub("", text)


def _unmarked(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """'Nguyễn Văn Đức' → 'nguyen van duc': no marks, đ → d, lower case, single spaces."""
    return " ".join(_unmarked(text).lower().split())


def match_key(text: object) -> str:
    """A label or header compared without marks, case, punctuation: "Diện tích (m²)" ~
    "dien tich m2"."""
    plain = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[^a-z0-9]+", " ", fold(plain)).strip()


def sort_key(text: str) -> tuple[str, str]:
    """Vietnamese alphabetical order, near enough for lists: 'Đa Mi' sorts with the D's, not
    after Z (Unicode order would put Đ and accented capitals last); numbers by their value,
    so 'Thôn 2' comes before 'Thôn 10'."""
    return _NUMBER.sub(lambda m: m.group().zfill(12), _unmarked(text).casefold()), text


_NUMBER = re.compile(r"\d+")


def unprintable(text: str) -> str | None:
    """What the input rules refuse: a message naming the first character of `text` that is no
    text (in words for a clerk), or None when there is none."""
    match = _UNPRINTABLE.search(text)
    if match is None:
        return None
    code = f"U+{ord(match.group()):04X}"
    return (f"Có ký tự ẩn không hợp lệ ({code}, ở ký tự thứ {match.start() + 1}), thường do "
            "dán từ tài liệu khác; hãy xoá rồi gõ lại.")


def printable(text: str) -> str:
    """`text` without the characters that are no text: what every writer of a document
    (.xlsx, .docx, .csv) puts in it, so a row stored before the input rules still exports."""
    return _UNPRINTABLE.sub("", text)
