"""A report as data: titled sections of paragraphs, tables and figures, and a signature block.

The three reports (safety, selection, final) build a :class:`Report`; :mod:`.render` writes it as a
self-contained HTML page (figures embedded as PNG data URIs) or a PDF for signature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""

    @classmethod
    def of(cls, caption: str, headers: list[str], rows: list[list[Any]], note: str = "") -> "Table":
        return cls(caption, tuple(headers), tuple(tuple(cell(v) for v in r) for r in rows), note)


@dataclass(frozen=True)
class Figure:
    caption: str
    png: bytes
    alt: str = ""

    def data_uri(self) -> str:
        import base64

        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


Block = Union[Paragraph, Table, Figure]


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def text(self, s: str) -> "Section":
        self.blocks.append(Paragraph(s))
        return self

    def table(self, t: Table) -> "Section":
        self.blocks.append(t)
        return self

    def figure(self, fig, caption: str, alt: str = "") -> "Section":
        """Add a matplotlib figure (rendered once to PNG)."""
        from dartnk.analysis.plots import figure_png

        self.blocks.append(Figure(caption, figure_png(fig), alt or caption))
        return self


@dataclass(frozen=True)
class SignatureLine:
    role: str
    name: str = ""
    meaning: str = ""
    signed_at: str = ""


@dataclass
class Report:
    title: str
    subtitle: str
    meta: list[tuple[str, str]]
    sections: list[Section] = field(default_factory=list)
    signatures: list[SignatureLine] = field(default_factory=list)
    signature_statement: str = ""

    def section(self, title: str) -> Section:
        s = Section(title)
        self.sections.append(s)
        return s


def cell(v: Any) -> str:
    """A table cell as text: None → '—', floats to 3 significant decimals, bools yes/no."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


def pct(k: int, n: int) -> str:
    """``k (x.x%)`` of n; ``0`` when n is 0."""
    return f"{k} ({100.0 * k / n:.1f}%)" if n else str(k)
