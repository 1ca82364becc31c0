"""The paper forms for villages (issue 21, part 5): each prints the entry form's own fields in
the entry form's order — read here off the two rendered pages, not off the declaration both are
drawn from — with the unit and period chosen, and the version mark the entry form shows."""

import io
import re
from html.parser import HTMLParser

import pytest
from docx import Document

from app.enums import Role
from app.services import registry
from app.ui import forms
from app.ui.records import BY_PATH

PAPERS = [r.name for r in registry.RESOURCES if r.paper is not None]
MARK = re.compile(r"[A-ZĐ]{2,3}-[0-9a-f]{4}")


class EntryForm(HTMLParser):
    """The fields of a page's #entry-form, in order: (name, label) of each control a clerk
    fills (hidden fields and the unit picker's own search box left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.names: list[str] = []
        self.labels: dict[str, str] = {}
        self._label: tuple[str | None, list[str]] | None = None
        self._wrapped: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == "entry-form":
            self.inside = True
        if not self.inside:
            return
        if tag == "label" and "pick" not in a.get("class", ""):
            self._label = (a.get("for", "").removeprefix("f-") or None, [])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            name = a.get("name", "")
            if name and not name.endswith("_q") and name not in self.names:
                self.names.append(name)
            if self._label and self._label[0] is None:
                self._wrapped = name

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        if tag == "label" and self._label:
            name = self._label[0] or self._wrapped
            if name:
                self.labels[name] = " ".join("".join(self._label[1]).replace("*", "").split())
            self._label, self._wrapped = None, None

    def handle_data(self, data: str) -> None:
        if self._label:
            self._label[1].append(data)


class PaperForm(HTMLParser):
    """The fields of a paper form, in order: (name, label) of each `data-field` box."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._field: str | None = None
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if a.get("data-field"):
            self._field = a["data-field"]
        if self._field and "sheet-label" in a.get("class", ""):
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if self._text is not None and tag == "span":
            self.fields.append((self._field or "", " ".join("".join(self._text).split())))
            self._field, self._text = None, None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def entry_fields(html: str) -> list[tuple[str, str]]:
    parser = EntryForm()
    parser.feed(html)
    return [(n, parser.labels.get(n, "")) for n in parser.names]


def paper_fields(html: str) -> list[tuple[str, str]]:
    parser = PaperForm()
    parser.feed(html)
    return parser.fields


@pytest.fixture
def clerk(sign_in, tree):
    return sign_in("canbo", Role.clerk, "T-HT")


@pytest.fixture
def tree(db):
    from tests.factories import make_tree

    with db() as s:
        return make_tree(s)


@pytest.mark.parametrize("path", PAPERS)
def test_the_paper_has_the_entry_forms_fields_in_its_order(clerk, path):
    entry = clerk.get(f"/{path}").text
    shown = entry_fields(entry)
    assert len(shown) >= 4 and all(label for _, label in shown), shown
    link = re.search(rf'href="(/{path}/paper)">In mẫu giấy</a>', entry)
    assert link, "the entry form links to its paper form"
    paper = clerk.get(link.group(1))
    assert paper.status_code == 200
    assert paper_fields(paper.text) == shown


@pytest.mark.parametrize("path", PAPERS)
def test_the_version_mark_is_on_both_pages(clerk, path):
    on_entry = re.search(r'Mẫu giấy tương ứng: <span data-mark>([^<]+)</span>', clerk.get(f"/{path}").text)
    on_paper = re.search(r'<strong data-mark>([^<]+)</strong>', clerk.get(f"/{path}/paper").text)
    assert on_entry and on_paper and MARK.fullmatch(on_entry.group(1))
    assert on_entry.group(1) == on_paper.group(1) == BY_PATH[path].mark
    assert on_paper.group(1).startswith(registry.get(path).paper.code + "-")


def test_the_mark_changes_with_the_declaration():
    fields = BY_PATH["contributions"].fields
    declared = forms.declaration(fields)
    same = forms.mark("ĐG", forms.declaration(fields))
    assert forms.mark("ĐG", declared) == same
    swapped = [declared[1], declared[0], *declared[2:]]
    renamed = [[*declared[0][:1], "Đơn vị nhận", *declared[0][2:]], *declared[1:]]
    optional = [[*d[:3], False, d[4]] if d[0] == "date" else d for d in declared]
    unkinded = [[*d[:2], "text", *d[3:]] if d[0] == "amount_vnd" else d for d in declared]
    fewer_choices = [[*d[:4], d[4][:-1]] if d[0] == "source" else d for d in declared]
    one_more = [*declared, ["phone", "Điện thoại", "text", False, []]]
    marks = {forms.mark("ĐG", d) for d in (swapped, renamed, optional, unkinded, fewer_choices,
                                          one_more, declared[:-1])}
    assert same not in marks and len(marks) == 7
    # The choices counted are the enum's own: its labels as the tick boxes print them.
    source = next(d for d in declared if d[0] == "source")
    assert ["people", "Nhân dân"] in source[4]


def test_every_paper_has_its_own_code():
    codes = [registry.get(p).paper.code for p in PAPERS]
    assert len(set(codes)) == len(codes)
    assert "units" not in PAPERS  # the tree is kept on screen by managers


def test_unit_period_and_boxes_on_the_printed_sheet(clerk, tree):
    html = clerk.get("/contributions/paper", params={
        "unit_id": tree.lam_giang, "month": "3", "year": "2026"}).text
    assert re.search(r"<strong data-unit>Lâm Giang \(.*Hàm Trí\)</strong>", html)
    assert "<strong data-period>Tháng 03 năm 2026</strong>" in html
    # A table of lines, each with the enum's tick boxes, money in đồng, a date to fill.
    assert html.count('<td class="n">') == registry.get("contributions").paper.rows
    assert "Ngân sách nhà nước" in html and "Ngày công" in html and "đồng" in html
    assert "____/____/________" in html and "TRƯỞNG THÔN" in html
    # A village's sheet prints its unit in the unit's boxes; a commune's leaves them blank.
    assert html.count('<span class="given">Lâm Giang</span>') == registry.get("contributions").paper.rows
    commune = clerk.get("/contributions/paper", params={"unit_id": tree.ham_tri, "year": "2026"}).text
    assert '<span class="given">' not in commune and "<strong data-period>Năm 2026</strong>" in commune


def test_a_date_range_and_its_mistakes(clerk, tree):
    html = clerk.get("/works/paper", params={"date_from": "01/11/2026", "date_to": "30/11/2026"}).text
    assert "<strong data-period>Từ ngày 01/11/2026 đến ngày 30/11/2026</strong>" in html
    # The clerk's own unit when none is chosen.
    assert re.search(r"<strong data-unit>Hàm Trí \(", html)
    wrong = clerk.get("/works/paper", params={"date_from": "30/11/2026", "date_to": "01/11/2026"})
    assert wrong.status_code == 200 and 'id="e-date_to"' in wrong.text
    assert "data-period" not in wrong.text and "từ ngày ____/____/________" in wrong.text
    bad_month = clerk.get("/works/paper", params={"month": "13", "year": "2026"}).text
    assert 'id="e-month"' in bad_month and "Tháng phải từ 1 đến 12" in bad_month
    no_year = clerk.get("/works/paper", params={"month": "5"}).text
    assert "Cần năm của tháng đã chọn" in no_year


def test_a_unit_outside_the_clerks_subtree_is_not_printed(clerk, tree):
    html = clerk.get("/contributions/paper", params={"unit_id": tree.ham_lien}).text
    assert 'id="e-unit_id"' in html and "Hàm Liêm" not in html
    assert re.search(r"<strong data-unit>Hàm Trí \(", html)


def test_the_petition_sheet_asks_to_keep_a_denouncers_identity_off_it(clerk):
    html = clerk.get("/petitions/paper").text
    names = [n for n, _ in paper_fields(html)]
    secret = list(registry.get("petitions").confidential)
    assert [n for n in names if n in secret] == secret  # the fields stay, in the screen's order
    note = html.index("Đơn tố cáo: để trống họ tên, địa chỉ người tố cáo")
    assert note < html.index(f'data-field="{secret[0]}"')
    assert html.count('class="sheet-field k-text secret"') == len(secret)


def test_signed_out_is_sent_to_sign_in(anon):
    r = anon.get("/contributions/paper", follow_redirects=False)
    assert r.status_code in (303, 401) and "/login" in r.headers.get("location", "/login")


def test_a_viewer_sees_no_link_but_may_print(sign_in, tree):
    viewer = sign_in("xem", Role.viewer, "T-HT")
    assert "In mẫu giấy" not in viewer.get("/contributions").text
    assert viewer.get("/contributions/paper").status_code == 200


def docx_fields(content: bytes) -> list[str]:
    """The field labels of a paper form's Word document, in order: the table's header (a table
    of lines), else each numbered line's bold label."""
    doc = Document(io.BytesIO(content))
    grids = [t for t in doc.tables if t.rows[0].cells[0].text == "STT"]
    if grids:
        return [c.text.removesuffix(" *") for c in grids[0].rows[0].cells[1:]]
    return [p.runs[1].text for p in doc.paragraphs
            if len(p.runs) > 2 and re.fullmatch(r"\d+\. ", p.runs[0].text)]


@pytest.mark.parametrize("path", ["contributions", "petitions", "models"])
def test_the_word_document_is_the_same_form(clerk, tree, path):
    shown = [label for _, label in entry_fields(clerk.get(f"/{path}").text)]
    page = clerk.get(f"/{path}/paper", params={"unit_id": tree.lam_giang, "year": "2026"}).text
    link = re.search(r'href="([^"]+\.docx[^"]*)"', page)
    assert link and "unit_id=" in link.group(1) and "year=2026" in link.group(1)
    r = clerk.get(link.group(1).replace("&amp;", "&"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxml")
    assert docx_fields(r.content) == shown
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert f"Mẫu {BY_PATH[path].mark}" in text and "Năm 2026" in text and "Lâm Giang" in text
