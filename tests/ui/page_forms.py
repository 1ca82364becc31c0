"""Read a page's HTML as a browser does: its links, and what each GET form would send when its
button is pressed (the blank fields too, as a browser sends them)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

NOT_SENT = {"submit", "button", "reset", "image", "file"}
WRITES = ("hx-post", "hx-put", "hx-patch", "hx-delete")  # htmx's writes, on any element


@dataclass
class Select:
    name: str
    options: list[str] = field(default_factory=list)
    selected: str | None = None


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    selects: list[Select] = field(default_factory=list)
    posts: list[str] = field(default_factory=list)  # its hx-post/… addresses
    buttons: int = 0  # submit buttons one can press (enabled, not in a disabled fieldset)

    def defaults(self, **chosen: str) -> list[tuple[str, str]]:
        """The pairs a browser sends on submit; `chosen` picks a select's option instead."""
        pairs = list(self.fields)
        for s in self.selects:
            default = s.selected if s.selected is not None else (s.options[0] if s.options else "")
            pairs.append((s.name, chosen.get(s.name, default)))
        return pairs


class _Page(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url, self.links, self.forms, self.writes = url, [], [], []
        self._form: Form | None = None
        self._select: Select | None = None
        self._option: tuple[str | None, bool, list[str]] | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._fieldsets: list[bool] = []  # open fieldsets: disabled or not

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        off = "disabled" in a or any(self._fieldsets)
        if tag == "fieldset":
            self._fieldsets.append("disabled" in a)
        posts = [urljoin(self.url, a[k]) for k in WRITES if a.get(k)]
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.url, a["href"]))
        if tag == "form":
            self._form = Form(urljoin(self.url, a.get("action") or self.url),
                              (a.get("method") or "get").lower(), posts=posts)
            self.forms.append(self._form)
            return
        if posts and not off:
            self.writes += posts
        if self._form is not None and not off and (
                tag == "button" and a.get("type", "submit").lower() == "submit"
                or tag == "input" and a.get("type", "").lower() in ("submit", "image")):
            self._form.buttons += 1
        if self._form is None or off or not a.get("name") and tag != "option":
            return
        elif tag == "input" and a.get("type", "text").lower() not in NOT_SENT:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = Select(a["name"])
            self._form.selects.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a, [])
        elif tag == "textarea":
            self._textarea = (a["name"], [])

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option[2].append(data)
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected, text = self._option
            value = "".join(text).strip() if value is None else value
            self._select.options.append(value)
            if selected:
                self._select.selected = value
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea[0], "".join(self._textarea[1])))
            self._textarea = None
        elif tag == "form":
            self._form = None
        elif tag == "fieldset" and self._fieldsets:
            self._fieldsets.pop()


def parse(url: str, html: str) -> _Page:
    page = _Page(url)
    page.feed(html)
    return page


def read(url: str, html: str) -> tuple[list[str], list[Form]]:
    """The same-site links (no fragments) and the forms of a page."""
    page = parse(url, html)
    here = urlsplit(url).netloc
    links = [link.split("#")[0] for link in page.links if urlsplit(link).netloc == here]
    return links, page.forms


def writes(url: str, html: str) -> set[str]:
    """The paths a page's usable controls would write to: the forms that post (by method or
    htmx) and have a button one can press, and other elements' htmx writes."""
    page = parse(url, html)
    posted = list(page.writes)
    for f in page.forms:
        if f.buttons:
            posted += f.posts + ([f.action] if f.method != "get" else [])
    return {urlsplit(u).path for u in posted}


def assert_own_ids(html: str) -> None:
    """Every id on the page is its own, and every label names a field that is there: two forms
    of one page with a field of the same name each give theirs its own id."""
    import re

    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for target in re.findall(r'<label for="([^"]+)"', html):
        assert target in ids, target
