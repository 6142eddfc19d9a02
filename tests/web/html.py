"""A tiny reader of rendered pages (stdlib only): an element's text by id, a table's rows as cell texts."""

from __future__ import annotations

from html.parser import HTMLParser

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: _Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[_Node | str] = []

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join(" ".join(parts).split())

    def iter(self, tag: str | None = None) -> list[_Node]:
        found: list[_Node] = []
        for child in self.children:
            if isinstance(child, _Node):
                if tag is None or child.tag == tag:
                    found.append(child)
                found.extend(child.iter(tag))
        return found


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in _VOID:
            self.current = node

    def handle_endtag(self, tag: str) -> None:
        node: _Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


class Page:
    def __init__(self, html: bytes | str) -> None:
        builder = _Builder()
        builder.feed(html.decode() if isinstance(html, bytes) else html)
        self.root = builder.root

    def by_id(self, element_id: str) -> _Node | None:
        return next((n for n in self.root.iter() if n.attrs.get("id") == element_id), None)

    def text(self, element_id: str) -> str:
        node = self.by_id(element_id)
        assert node is not None, f"no element #{element_id}"
        return node.text()

    def rows(self, table_id: str) -> list[list[str]]:
        """Body rows of a table, each as the texts of its cells (th and td)."""
        table = self.by_id(table_id)
        assert table is not None, f"no table #{table_id}"
        rows = []
        for body in table.iter("tbody"):
            for tr in body.iter("tr"):
                cells = [c for c in tr.children if isinstance(c, _Node) and c.tag in {"th", "td"}]
                rows.append([cell.text() for cell in cells])
        return rows

    def first_column(self, table_id: str) -> list[str]:
        return [row[0] for row in self.rows(table_id) if row]
