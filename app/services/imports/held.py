"""A file that a dry run on the import page has just checked, kept a short while on the server
so that one press imports it, without choosing it again.

The browser gets only a random token; the file, who sent it, for which record type and its
SHA-256 stay here. A token is taken once, by the same user for the same record type, within
TTL, and only if the bytes are still the ones checked; anything else is as if never kept. The
import then checks every row again (all or nothing), as it does for any file."""

import hashlib
import json
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import IO, Any

TTL = 30 * 60  # seconds: a clerk reads the report, then presses "Nhập"
ROOT = Path(tempfile.gettempdir()) / "dvk-checked"
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
BLOCK = 1 << 20


def _paths(token: str) -> tuple[Path, Path]:
    return ROOT / f"{token}.bin", ROOT / f"{token}.json"


def keep(stream: IO[bytes], *, user_id: int | None, resource: str, filename: str) -> str:
    """Copy `stream` (from its start, left at its start) aside; its token."""
    sweep()
    ROOT.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    data, meta = _paths(token)
    digest = hashlib.sha256()
    stream.seek(0)
    with open(data, "xb") as out:
        while block := stream.read(BLOCK):
            digest.update(block)
            out.write(block)
    stream.seek(0)
    meta.write_text(json.dumps({"user_id": user_id, "resource": resource, "filename": filename,
                                "sha256": digest.hexdigest(), "at": time.time()}))
    return token


def take(token: str, *, user_id: int | None,
         resource: str) -> tuple[IO[bytes], str] | None:
    """(the kept file, its name), once; None if the token is unknown, expired, another user's
    or another record type's, or the bytes changed since they were checked."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return None
    data, meta = _paths(token)
    try:
        info: dict[str, Any] = json.loads(meta.read_text())
        fresh = time.time() - float(info["at"]) < TTL
        if not fresh or info["user_id"] != user_id or info["resource"] != resource:
            return None  # another user's token is left alone for its owner (or the sweep)
        held = tempfile.SpooledTemporaryFile(max_size=8 * BLOCK)
        digest = hashlib.sha256()
        with open(data, "rb") as source:
            while block := source.read(BLOCK):
                digest.update(block)
                held.write(block)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    drop(token)
    if digest.hexdigest() != info["sha256"]:
        held.close()
        return None
    held.seek(0)
    return held, str(info.get("filename") or "")


def drop(token: str | None) -> None:
    if token and TOKEN.fullmatch(token):
        for path in _paths(token):
            path.unlink(missing_ok=True)


def sweep(now: float | None = None) -> None:
    """Remove what has outlived TTL (a file checked and never imported)."""
    now = time.time() if now is None else now
    if not ROOT.is_dir():
        return
    for path in ROOT.iterdir():
        try:
            if now - path.stat().st_mtime > TTL:
                path.unlink(missing_ok=True)
        except OSError:
            continue

