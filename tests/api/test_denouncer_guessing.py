"""A denouncer's identity can be neither read, nor written, nor compared below manager.

The attack: a clerk who cannot read a denunciation's petitioner sends a guess and reads the
answer (was the version bumped? was an audit entry written? did the import count the row as
unchanged or updated?). Each path a guess may take (the API's PATCH, the import with and
without a dry run, with and without a key, the page's form) is tried with the right guess, a
wrong one, an erasure and the address: every answer must be the same, byte for byte apart from
the guess echoed back, and the stored record untouched. A manager still corrects it."""

import io
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.db.audit import AuditEntry
from app.db.petitions import Petition
from app.enums import Role
from tests.factories import make_petition, make_tree

P = "/api/v1/petitions"
NAME, ADDRESS = "Nguyễn Văn Tố", "thôn Lâm Giang"
# The right guesses, wrong ones, and erasures, of either field.
GUESSES = [("petitioner_name", NAME), ("petitioner_name", "Trần Văn Đoán"),
           ("petitioner_name", None), ("petitioner_address", ADDRESS),
           ("petitioner_address", "thôn 9")]
SUBJECT = "Tố cáo cán bộ thôn"
HX = {"HX-Request": "true"}


@pytest.fixture
def stored(db: Any) -> dict[str, Any]:
    with db() as s:
        t = make_tree(s)
        p = make_petition(s, unit_id=t.ham_tri, type="denunciation", subject=SUBJECT,
                          received_date="2021-03-01", petitioner_name=NAME,
                          petitioner_address=ADDRESS)
    return {"tree": t, "id": p.id}


def state(db: Callable[[], Any], pid: int) -> tuple[Any, ...]:
    """What a guess must leave as it was: the record, its version, its audit entries."""
    with db() as s:
        p = s.get(Petition, pid)
        entries = s.exec(select(func.count()).select_from(AuditEntry)
                         .where(AuditEntry.resource == "petitions")).scalar_one()
        return p.petitioner_name, p.petitioner_address, p.version, p.updated_at, entries


def same(answers: list[tuple[Any, str]]) -> None:
    """Every answer alike once the guess it echoes is masked."""
    masked = [(status, text) for status, text in answers]
    assert all(a == masked[0] for a in masked), masked


def mask(text: str, guess: Any) -> str:
    return text.replace(guess, "<guess>") if guess else text


def test_a_patch_neither_confirms_nor_changes_a_guess(stored, db, make_user):
    clerk = make_user(Role.clerk, "T-HT")
    pid = stored["id"]
    before = state(db, pid)
    answers = []
    for field, guess in GUESSES:
        for body, if_match in (({field: guess}, None), ({field: guess, "handler": "Bà Năm"}, '"1"')):
            headers = {"If-Match": if_match} if if_match else {}
            r = clerk.patch(f"{P}/{pid}", json=body, headers=headers)
            assert r.status_code == 403, r.text
            assert "ETag" not in r.headers
            label = "Người gửi đơn" if field == "petitioner_name" else "Địa chỉ người gửi"
            assert label in r.json()["detail"]
            assert [e["loc"] for e in r.json()["errors"]] == [["body", field]]
            answers.append((r.status_code, mask(r.text, guess).replace(field, "<field>")
                            .replace(label, "<label>")))
    same(answers)
    assert state(db, pid) == before
    read = clerk.get(f"{P}/{pid}")
    assert (read.json()["version"], read.headers["ETag"], read.json()["petitioner_name"]) == (
        1, '"1"', None)


def test_a_clerk_still_edits_the_rest_and_a_manager_the_identity(stored, db, make_user):
    clerk, manager = make_user(Role.clerk, "T-HT"), make_user(Role.manager, "T-HT")
    pid = stored["id"]
    r = clerk.patch(f"{P}/{pid}", json={"handler": "Bà Năm"})
    assert (r.status_code, r.json()["version"], r.json()["petitioner_name"]) == (200, 2, None)
    r = manager.patch(f"{P}/{pid}", json={"petitioner_name": NAME})  # the same: no change
    assert (r.status_code, r.json()["version"]) == (200, 2)
    r = manager.patch(f"{P}/{pid}", json={"petitioner_name": "Nguyễn Văn Tố Sửa"})
    assert (r.status_code, r.json()["version"], r.json()["petitioner_name"]) == (
        200, 3, "Nguyễn Văn Tố Sửa")
    r = manager.patch(f"{P}/{pid}", json={"petitioner_address": None})
    assert (r.status_code, r.json()["petitioner_address"]) == (200, None)


def test_a_clerk_records_a_denouncer_but_never_reads_it_back(stored, db, make_user):
    """Creating may carry the identity (the clerk who receives a denunciation records who
    sent it); the answer never holds it, and nothing stored is compared."""
    clerk, manager = make_user(Role.clerk, "T-HT"), make_user(Role.manager, "T-HT")
    r = clerk.post(P, json={"received_date": "2021-03-01", "unit_id": stored["tree"].ham_tri,
                            "type": "denunciation", "subject": SUBJECT, "petitioner_name": NAME})
    assert (r.status_code, r.json()["petitioner_name"]) == (201, None), r.text
    assert manager.get(f"{P}/{r.json()['id']}").json()["petitioner_name"] == NAME


def test_retyping_never_carries_the_identity_across(stored, db, make_user):
    clerk = make_user(Role.clerk, "T-HT")
    pid = stored["id"]
    r = clerk.patch(f"{P}/{pid}", json={"type": "complaint"})
    assert r.status_code == 403 and NAME not in r.text
    assert [e["loc"] for e in r.json()["errors"]] == [["body", "type"]]
    with db() as s:
        complaint = make_petition(s, unit_id=stored["tree"].ham_tri, petitioner_name="Lê Thị Hoa")
    # Turning a complaint into a denunciation and naming its denouncer at once: refused too.
    r = clerk.patch(f"{P}/{complaint.id}", json={"type": "denunciation", "petitioner_name": "X"})
    assert r.status_code == 403, r.text
    r = clerk.patch(f"{P}/{complaint.id}", json={"type": "denunciation"})
    assert (r.status_code, r.json()["petitioner_name"]) == (200, None)
    assert state(db, pid)[:3] == (NAME, ADDRESS, 1)


# -- the import --------------------------------------------------------------------------------

HEAD = ["Số hiệu bản ghi (id)", "Ngày nhận đơn", "Mã đơn vị", "Loại đơn", "Nội dung",
        "Người gửi đơn", "Địa chỉ người gửi"]


def workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def send(client: httpx.Client, rows: list[list[Any]], dry_run: bool) -> httpx.Response:
    return client.post("/api/v1/imports/petitions", params={"dry_run": str(dry_run).lower()},
                       files={"file": ("don-thu.xlsx", workbook(rows))})


def row(pid: Any, field: str, guess: Any) -> list[Any]:
    cells = {"petitioner_name": None, "petitioner_address": None, field: guess}
    return [pid, "01/03/2021", "T-HT", "Tố cáo", SUBJECT, cells["petitioner_name"],
            cells["petitioner_address"]]


@pytest.mark.parametrize("dry_run", [True, False])
def test_an_import_neither_confirms_nor_changes_a_guess(stored, db, make_user, dry_run):
    clerk = make_user(Role.clerk, "T-HT")
    pid = stored["id"]
    before = state(db, pid)
    answers = []
    for field, guess in GUESSES:
        if guess is None:
            continue  # an empty cell is an export's, not an erasure: see the next test
        r = send(clerk, [HEAD, row(pid, field, guess)], dry_run)
        # The cell is not read, whatever it holds: the row is the stored one, unchanged, and
        # the answer says the denouncer's cells were kept as stored (a file sent again).
        assert r.status_code == 200, r.text
        report = r.json()
        assert (report["ok"], report["created"], report["updated"], report["unchanged"],
                report["kept_secret"]) == (True, 0, 0, 1, 1)
        assert not report["errors"] and "không được đọc" in report["summary"]
        answers.append((r.status_code, mask(r.text, guess)))
    same(answers)
    assert state(db, pid) == before


def test_an_exports_empty_cells_still_import_unchanged(stored, db, make_user):
    clerk = make_user(Role.clerk, "T-HT")
    r = send(clerk, [HEAD, row(stored["id"], "petitioner_name", None)], False)
    assert (r.status_code, r.json()["unchanged"]) == (200, 1), r.text
    assert state(db, stored["id"])[:3] == (NAME, ADDRESS, 1)


def test_a_keyless_row_finds_its_denunciation_whatever_the_guess(db, make_user):
    """A row without id or key is matched by its values: the identity is no part of that
    match, or a right guess would find the stored row (unchanged) and a wrong one not
    (created)."""
    with db() as s:
        make_tree(s)
    clerk, manager = make_user(Role.clerk, "T-HT"), make_user(Role.manager, "T-HT")
    head = HEAD[1:]
    r = send(manager, [head, row(None, "petitioner_name", NAME)[1:]], False)
    assert (r.status_code, r.json()["created"]) == (200, 1), r.text
    pid = manager.get(P).json()["items"][0]["id"]
    before = state(db, pid)
    for dry_run in (True, False):
        answers = []
        for guess in (NAME, "Trần Văn Đoán"):
            r = send(clerk, [head, row(None, "petitioner_name", guess)[1:]], dry_run)
            assert r.status_code == 200, r.text
            assert (r.json()["unchanged"], r.json()["created"], r.json()["kept_secret"]) == (1, 0, 1)
            answers.append((r.status_code, mask(r.text, guess)))
        same(answers)
    assert state(db, pid) == before
    assert manager.get(P).json()["total"] == 1
    # Without the identity the row is the stored one, unchanged.
    r = send(clerk, [head, row(None, "petitioner_name", None)[1:]], False)
    assert (r.status_code, r.json()["unchanged"], r.json()["created"]) == (200, 1, 0), r.text


def test_a_manager_corrects_a_denouncer_by_import(stored, db, make_user):
    manager = make_user(Role.manager, "T-HT")
    same_row = row(stored["id"], "petitioner_name", NAME)[:-1] + [ADDRESS]
    r = send(manager, [HEAD, same_row], True)
    assert (r.json()["ok"], r.json()["unchanged"]) == (True, 1), r.text
    r = send(manager, [HEAD, same_row[:-2] + ["Nguyễn Văn Tố Sửa", ADDRESS]], False)
    assert (r.status_code, r.json()["updated"]) == (200, 1), r.text
    assert state(db, stored["id"])[:2] == ("Nguyễn Văn Tố Sửa", ADDRESS)


# -- the page's form ---------------------------------------------------------------------------

def test_the_form_neither_confirms_nor_changes_a_guess(stored, db, sign_in):
    clerk = sign_in("canbo.hamtri")
    pid = stored["id"]
    before = state(db, pid)
    base = {"received_date": "01/03/2021", "unit_id": str(stored["tree"].ham_tri),
            "type": "denunciation", "subject": SUBJECT, "version": "1"}
    answers = []
    for field, guess in GUESSES:
        r = clerk.post(f"/petitions/{pid}", headers=HX, data={**base, field: guess or ""})
        assert r.status_code == 403, r.text
        label = "Người gửi đơn" if field == "petitioner_name" else "Địa chỉ người gửi"
        assert label in r.text
        text = re.sub(r'name="submission" value="[^"]*"', "", r.text)
        answers.append((r.status_code, mask(text, guess).replace(label, "<label>")))
    same(answers)
    assert state(db, pid) == before
    # The rest of the form still saves.
    r = clerk.post(f"/petitions/{pid}", headers=HX, data={**base, "subject": SUBJECT + " (bổ sung)"})
    assert r.status_code == 200, r.text
    assert state(db, pid)[:3] == (NAME, ADDRESS, 2)


def test_a_clerks_own_file_sent_twice_adds_nothing(db, make_user):
    """A clerk imports a month's petitions, a named denunciation among them, then sends the
    same file again: nothing new, nothing refused; the denouncer's cells are kept as stored."""
    with db() as s:
        make_tree(s)
    clerk = make_user(Role.clerk, "T-HT")
    head = ["Mã tham chiếu", *HEAD[1:]]
    rows = [head, ["QA-DEN-1", "01/03/2021", "T-HT", "Tố cáo", SUBJECT, NAME, ADDRESS],
            ["QA-KN-1", "02/03/2021", "T-HT", "Kiến nghị", "Đèn đường", None, None]]
    first = send(clerk, rows, False)
    assert (first.status_code, first.json()["created"]) == (200, 2), first.text
    again = send(clerk, rows, False)
    assert again.status_code == 200, again.text
    assert (again.json()["created"], again.json()["unchanged"], again.json()["kept_secret"]) == (
        0, 2, 1)
