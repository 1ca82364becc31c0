"""Read a page's HTML as a browser does: its links, and what each GET form would send when its
button is pressed (the blank fields too, as a browser sends them)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

NOT_SENT = {"submit", "button", "reset", "image", "file"}


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
        self.url, self.links, self.forms = url, [], []
        self._form: Form | None = None
        self._select: Select | None = None
        self._option: tuple[str | None, bool, list[str]] | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.url, a["href"]))
        elif tag == "form":
            self._form = Form(urljoin(self.url, a.get("action") or self.url),
                              (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None or "disabled" in a or not a.get("name") and tag != "option":
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


def read(url: str, html: str) -> tuple[list[str], list[Form]]:
    """The same-site links (no fragments) and the forms of a page."""
    page = _Page(url)
    page.feed(html)
    here = urlsplit(url).netloc
    links = [link.split("#")[0] for link in page.links if urlsplit(link).netloc == here]
    return links, page.forms
