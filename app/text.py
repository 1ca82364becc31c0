"""Text helpers that need nothing but the standard library (a sheet's reader process
imports them without the tables)."""

import unicodedata


def fold(text: str) -> str:
    """'Nguyễn Văn Đức' → 'nguyen van duc'."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())
