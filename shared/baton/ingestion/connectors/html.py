"""HTML message bodies (Intercom always, Zendesk sometimes) to the plain text Baton scores and shows.

Blocks (paragraphs, divs, headings, list items, table rows) start on their own line, `<br>` is a
line break, list items get a `- ` bullet, entities are decoded, scripts/styles/comments are dropped,
and runs of spaces collapse. At most one blank line survives between blocks.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
        "p", "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "ul",
    }
)  # fmt: skip
_DROP = frozenset({"script", "style", "head", "title", "template", "noscript", "iframe", "object", "svg"})
_CELL = frozenset({"td", "th"})
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_LOOKS_LIKE_HTML = re.compile(
    r"<\s*(/\s*)?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?\s*>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);"
)

_BREAK = object()  # <br>: always ends the line, even an empty one
_SOFT = object()  # a block boundary: ends the line only when it has text


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[object] = []
        self._dropping = 0
        self._in_pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP:
            self._dropping += 1
            return
        if self._dropping:
            return
        if tag == "br":
            self.tokens.append(_BREAK)
        elif tag in _BLOCK:
            self.tokens.append(_SOFT)
            if tag == "li":
                self.tokens.append("- ")
            elif tag == "pre":
                self._in_pre += 1
        elif tag in _CELL:
            self.tokens.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # `<br/>`, `<hr/>`: a start without an end; a self-closed `<script/>` drops nothing.
        if tag not in _DROP:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self._dropping = max(0, self._dropping - 1)
            return
        if self._dropping:
            return
        if tag in _BLOCK:
            self.tokens.append(_SOFT)
            if tag == "pre":
                self._in_pre = max(0, self._in_pre - 1)

    def handle_data(self, data: str) -> None:
        if self._dropping:
            return
        if not self._in_pre:
            # Newlines in HTML source are just whitespace.
            self.tokens.append(data.replace("\r", " ").replace("\n", " "))
            return
        for i, line in enumerate(data.replace("\r\n", "\n").split("\n")):
            if i:
                self.tokens.append(_BREAK)
            self.tokens.append(line)


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment; "" for None or markup without text."""
    if not html:
        return ""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines: list[str] = []
    current: list[str] = []

    def flush(keep_empty: bool) -> None:
        line = _SPACES.sub(" ", _ZERO_WIDTH.sub("", "".join(current))).strip()
        if line or keep_empty:
            lines.append(line)
        current.clear()

    for token in parser.tokens:
        if token is _BREAK:
            flush(keep_empty=True)
        elif token is _SOFT:
            flush(keep_empty=False)
        else:
            current.append(token)  # type: ignore[arg-type]
    flush(keep_empty=False)
    return _squeeze_blank_lines(lines)


def to_text(body: str | None) -> str:
    """`html_to_text` when the body carries markup or entities, else the body with whitespace tidied.

    Zendesk's `body` is plain text that may legitimately contain `<` or `&` (`if a < b && c`):
    running it through an HTML parser would eat characters.
    """
    if not body:
        return ""
    if _LOOKS_LIKE_HTML.search(body):
        return html_to_text(body)
    lines = [
        _SPACES.sub(" ", line).strip() for line in _ZERO_WIDTH.sub("", body).replace("\r\n", "\n").split("\n")
    ]
    return _squeeze_blank_lines(lines)


def _squeeze_blank_lines(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
