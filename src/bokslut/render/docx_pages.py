"""Which page a heading will land on, estimated while the Word file is written.

The contents page is written out with page numbers, so it reads right before
anyone updates the fields (and in programs that keep the numbers as written).
Word and LibreOffice lay out the pages themselves; we follow the same rules the
file gives them (chapters on a new page, rows that do not split, headings kept
with what follows, short tables kept whole) with the measured widths of the
body font, so the estimate is close. Word replaces the numbers with its own
when it updates the fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bokslut.render.docx_columns import text_twips

# A line of Cambria is 1.15 em high as laid out (measured in LibreOffice's output);
# Normal adds 6 pt after each paragraph.
LINE = 1.15
# Regular type is 0.87 of the measure (bold, with 4 % to spare).
REGULAR = 0.87


@dataclass
class PageTracker:
    body_height: float  # points between the margins
    text_width: int  # twips
    page: int = 1
    used: float = 0.0
    _pending: float = field(default=0.0)  # a heading's height, kept with what follows

    def new_page(self) -> None:
        self.page += 1
        self.used = 0.0

    def lines(self, text: str, size: float, width: int | None = None) -> int:
        """How many lines ``text`` takes in ``width`` twips, wrapped between words."""
        width = int((width or self.text_width) / REGULAR)
        space = text_twips(" ", size)
        count, line = 1, 0
        for word in text.split():
            w = text_twips(word, size)
            if line and line + space + w > width:
                count += 1
                line = w
            else:
                line += (space if line else 0) + w
        return count

    def _place(self, height: float) -> None:
        """Put a block that cannot break on the page (with a pending heading before it)."""
        total = self._pending + height
        if self.used > 0 and self.used + total > self.body_height:
            self.new_page()
        self.used += total
        self._pending = 0.0

    def heading(self, height: float) -> int:
        """A heading: kept with what follows; returns the page it is estimated on."""
        self._pending += height
        if self.used > 0 and self.used + self._pending + 3 * 12.3 > self.body_height:
            self.new_page()
        return self.page

    def paragraph(self, text: str, size: float = 10.5, after: float = 6.0) -> None:
        line = size * LINE * 1.05
        n = self.lines(text, size)
        # Two lines go with the heading; the rest flows over pages.
        first = min(n, 2)
        self._place(first * line)
        for _ in range(n - first):
            if self.used + line > self.body_height:
                self.new_page()
            self.used += line
        self.used += after

    def block(self, height: float) -> None:
        """An image or a table kept whole."""
        self._place(min(height, self.body_height))

    def rows(self, heights: list[float], keep: bool, first: int = 3) -> None:
        """A table's rows (the header first, repeated on each new page); the header
        and ``first`` rows stay together."""
        if not heights:
            return
        if keep:
            self.block(sum(heights))
            return
        header = heights[0]
        self._place(sum(heights[: 1 + first]))
        for h in heights[1 + first :]:
            if self.used + h > self.body_height:
                self.new_page()
                self.used += header
            self.used += h
