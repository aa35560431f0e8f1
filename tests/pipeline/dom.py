"""A small DOM for the page tests: HTML parsed into a tree with the standard library, so that the
renderer's own output and Chromium's serialised DOM are checked by the same queries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements HTML never closes; everything else (SVG included) nests.
_VOID = frozenset({"meta", "link", "br", "hr", "img", "input", "source", "wbr", "col"})


@dataclass
class Element:
    """One element: its tag, attributes, and its content (text and elements, in order)."""

    tag: str
    attrs: dict[str, str]
    content: list[str | Element] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        """The class attribute's words."""
        return set(self.attrs.get("class", "").split())

    @property
    def children(self) -> list[Element]:
        """The elements directly inside."""
        return [c for c in self.content if isinstance(c, Element)]

    def text(self) -> str:
        """All text inside, in document order, whitespace squeezed."""
        parts = [c if isinstance(c, str) else c.text() for c in self.content]
        return " ".join(" ".join(parts).split())

    def iter(self) -> Iterator[Element]:
        """This element and every element below it."""
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str, cls: str | None = None, **attrs: str) -> list[Element]:
        """Every element (this one included) with ``tag``, class ``cls`` and ``attrs``."""
        return [
            e
            for e in self.iter()
            if e.tag == tag
            and (cls is None or cls in e.classes)
            and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]

    def one(self, tag: str, cls: str | None = None, **attrs: str) -> Element:
        """The single matching element; fails the test if there are none or several."""
        found = self.find_all(tag, cls, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag} class={cls} {attrs}> elements"
        return found[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def _open(self, tag: str, attrs: list[tuple[str, str | None]]) -> Element:
        el = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].content.append(el)
        return el

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = self._open(tag, attrs)
        if tag not in _VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if all(e.tag != tag for e in self.stack[1:]):
            return  # a stray end tag (</br>, a void element's): nothing open to close
        while self.stack[-1].tag != tag:
            self.stack.pop()
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].content.append(data)


def parse(text: str) -> Element:
    """The document's tree."""
    builder = _Builder()
    builder.feed(text)
    builder.close()
    return builder.root
