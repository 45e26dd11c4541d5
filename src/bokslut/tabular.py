"""Reading exported tables (CSV with comma/semicolon/tab, or XLSX) into string columns.

HR systems and operational systems export the same few columns under many
names and in many dialects. This module only finds the columns (with the
mapping from bokslut.toml) and hands back every cell as text; typed parsing is
done column by column, vectorised, by the ``parse_*`` helpers, which report each
bad cell with its row number and column name instead of giving up.

Row numbers are those a person sees: in a CSV the header is line 1 and the
first record line 2; in a spreadsheet the spreadsheet's own row number.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import gzip
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from bokslut.diagnostics import Finding, error, warning
from bokslut.environment import read_problem
from bokslut.workspace.safe_files import Refused, open_data_file, open_inside

# How many bad cells of one kind are listed one by one before the rest are summed up.
MAX_LISTED = 20

TABLE_SUFFIXES = (".csv", ".csv.gz", ".txt", ".xlsx")

MEGABYTE = 1024 * 1024
# Default of bokslut.toml [granser] tabell_mb; callers pass the workspace's own limit.
DEFAULT_MAX_BYTES = 1024 * MEGABYTE
# A spreadsheet unpacks to many times its size; a larger ratio is a zip bomb, not a table.
MAX_XLSX_RATIO = 200


@dataclass(frozen=True, slots=True)
class Source:
    """A table file, opened afresh for each pass over it (sniffing, Arrow, line numbers).

    With ``root`` (the workspace) every opening goes through
    :func:`bokslut.workspace.safe_files.open_inside`: no pass ever reads a file that a
    symbolic link puts outside the workspace, not even one swapped in between passes.
    """

    path: Path
    root: Path | None = None

    @property
    def gzipped(self) -> bool:
        return self.path.name.lower().endswith(".gz")

    def open(self) -> BinaryIO:
        """The file's bytes as stored (compressed for .gz); OSError when it cannot be opened."""
        if self.root is None:
            return self.path.open("rb")
        try:
            return os.fdopen(_blocking(open_inside(self.root, self.path)), "rb")
        except Refused as exc:
            raise PermissionError(errno.EACCES, exc.message, str(self.path)) from None

    @contextlib.contextmanager
    def stream(self) -> Iterator[BinaryIO]:
        """The file's content (decompressed for .gz), closed after use."""
        with self.open() as raw:
            if self.gzipped:
                with gzip.GzipFile(fileobj=raw, mode="rb") as unpacked:
                    yield unpacked  # type: ignore[misc]
            else:
                yield raw

    def arrow(self, raw: BinaryIO) -> pa.NativeFile:
        """``raw`` (from :meth:`open`) as Arrow reads it, decompressed for .gz."""
        native = pa.PythonFile(raw, mode="r")
        if not self.gzipped:
            return native
        # Large reads from Python: the decompressor alone would ask for 64 KiB at a time.
        return pa.CompressedInputStream(pa.BufferedInputStream(native, 1 << 24), "gzip")


def _blocking(fd: int) -> int:
    os.set_blocking(fd, True)
    return fd


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    name: str
    required: bool = True
    # Type Arrow may parse the column as while reading (fast path for large files);
    # when any cell does not fit, the file is read again as text and each bad cell reported.
    fast_type: pa.DataType | None = None


DICTIONARY = pa.dictionary(pa.int32(), pa.string())
TIMESTAMP = pa.timestamp("s")


class LineNumbers:
    """Record row numbers, worked out once and only when first asked for."""

    def __init__(self, compute: Callable[[], npt.NDArray[np.int64] | None]) -> None:
        self._compute: Callable[[], npt.NDArray[np.int64] | None] | None = compute
        self._lines: npt.NDArray[np.int64] | None = None

    @classmethod
    def known(cls, lines: npt.NDArray[np.int64] | None) -> LineNumbers:
        numbering = cls(lambda: lines)
        numbering.get()
        return numbering

    def get(self) -> npt.NDArray[np.int64] | None:
        if self._compute is not None:
            self._lines, self._compute = self._compute(), None
        return self._lines


@dataclass(frozen=True, slots=True)
class RawTable:
    """Every cell as text ("" for empty), columns under our canonical names."""

    file: str  # path as shown to the user
    columns: Mapping[str, pa.ChunkedArray]  # stripped of surrounding whitespace
    first_row: int  # row number of the first record (2 for a CSV with a header line)
    column_headers: Mapping[str, str]  # canonical name -> header as written in the file
    rows: int
    # Row numbers of the records when they are not simply first_row, first_row + 1, …
    # (rows left out as unreadable, blank lines in a CSV).
    numbering: LineNumbers | None = None

    @property
    def lines(self) -> npt.NDArray[np.int64] | None:
        return self.numbering.get() if self.numbering is not None else None

    def has(self, name: str) -> bool:
        return name in self.columns

    def row_numbers(self, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        index = np.flatnonzero(mask).astype(np.int64)
        if index.size == 0:
            return index  # no finding, no need to know the numbering
        lines = self.lines
        return lines[index] if lines is not None else index + self.first_row

    def line(self, index: int) -> int:
        """Row number of record ``index`` as the user sees it."""
        lines = self.lines
        return int(lines[index]) if lines is not None else self.first_row + index


def find_input(folder: Path, stem: str) -> Path | None:
    """The file ``stem`` with any supported suffix in ``folder`` (None if there is none)."""
    for suffix in TABLE_SUFFIXES:
        candidate = folder / f"{stem}{suffix}"
        if candidate.is_file() or candidate.is_symlink():  # a broken link is named by the reader
            return candidate
    return None


def _normalise(header: str) -> str:
    return header.strip().strip("\ufeff").casefold()


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


class NotUtf8(ValueError):
    """A CSV that begins as UTF-8 and is something else from ``line`` on."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


@dataclass(frozen=True, slots=True)
class BadRow:
    """A CSV row with the wrong number of cells (left out, reported)."""

    number: int  # record number among the non-empty lines, the header being 1
    expected: int
    actual: int


def _read_csv(source: Source, fast_types: Mapping[str, pa.DataType]) -> tuple[pa.Table, int, list[BadRow]]:
    """Read a CSV; ``fast_types`` (by normalised header) are tried first, then plain text.

    Rows with too few or too many cells are left out and returned, numbered, so that the
    rest of the file is still read and each bad row can be named.
    """
    with source.stream() as stream:
        head = stream.read(65536)
    encoding = "utf8"
    whole_file = len(head) < 65536
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut multi-byte character at the end of the sample is not an encoding problem.
        if exc.start < len(head) - 4 or whole_file:
            encoding = "cp1252"  # Excel on Swedish Windows
    unpacked: bytes | None = None
    if encoding == "utf8" and not whole_file:
        # A packed file is unpacked once, into memory when it is not too large, for both the
        # check below and Arrow: unpacking is most of the time these passes take.
        unpacked = _unpacked(source) if source.gzipped else None
        # A file that turns out not to be UTF-8 further on is refused before Arrow reads it:
        # Arrow cannot say where, and reports such a row in a way that cannot be caught.
        bad_line = _first_bad_utf8_line(source) if unpacked is None else _bad_utf8_line_in(unpacked)
        if bad_line is not None:
            raise NotUtf8(bad_line)
    first_line = head.decode("utf-8" if encoding == "utf8" else "cp1252", errors="replace")
    first_line = first_line.splitlines()[0] if first_line else ""
    delimiter = _sniff_delimiter(first_line)
    names = [h.strip().strip("\ufeff").strip('"').strip() for h in first_line.split(delimiter)]

    def read(types: Mapping[str, pa.DataType], threads: bool = True) -> tuple[pa.Table, list[BadRow]]:
        bad: list[BadRow] = []

        def skip(row: Any) -> str:
            # Arrow numbers rows only when reading on one thread; 0 asks for a second pass.
            bad.append(BadRow(row.number or 0, row.expected_columns, row.actual_columns))
            return "skip"

        options: dict[str, Any] = {
            "read_options": pacsv.ReadOptions(encoding=encoding, use_threads=threads, block_size=1 << 24),
            "parse_options": pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=skip),
            "convert_options": pacsv.ConvertOptions(
                column_types={n: types.get(_normalise(n), pa.string()) for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        }
        if unpacked is not None:
            table = pacsv.read_csv(pa.BufferReader(unpacked), **options)
        else:
            with source.open() as raw:
                table = pacsv.read_csv(source.arrow(raw), **options)
        if any(b.number == 0 for b in bad):
            return read(types, threads=False)
        return table, bad

    if fast_types:
        try:
            table, bad = read(fast_types)
            return table, 2, bad
        except pa.ArrowInvalid:
            pass  # some cell does not fit its type: read as text and report it precisely
    table, bad = read({})
    return table, 2, bad


# Files up to this size get exact row numbers even with blank lines in them (Arrow skips
# blank lines and numbers the rest); a larger file is numbered as if it had none.
PHYSICAL_LINES_MAX_BYTES = 512 * MEGABYTE


def _has_blank_line(source: Source) -> bool:
    """Whether the file has an empty line or a bare carriage return as line end (Arrow counts
    neither as the other numbering does), looked for chunk by chunk: most exports have none."""
    with source.stream() as stream:
        previous = b"\n"  # the file's start counts as the end of a line
        while chunk := stream.read(1 << 24):
            window = np.frombuffer(previous[-2:] + chunk, dtype=np.uint8)
            # Vectorised: a bytes search slows down on a pattern as common as a newline.
            ends = np.flatnonzero(window == 10)
            gaps = np.diff(ends)
            if (gaps == 1).any() or ((gaps == 2) & (window[ends[:-1] + 1] == 13)).any():
                return True
            if ((window[:-1] == 13) & (window[1:] != 10)).any():
                return True
            previous = chunk
    return False


def _physical_lines(source: Source) -> npt.NDArray[np.int64] | None:
    """Line number in the file of Arrow's n-th non-blank line (at index n-1), or None when
    the file has no blank lines and the two numberings agree. Lines end in LF, CRLF or CR."""
    with source.open() as raw:
        size = os.fstat(raw.fileno()).st_size
    if size > PHYSICAL_LINES_MAX_BYTES or not _has_blank_line(source):
        return None
    with source.stream() as stream:
        data = stream.read(PHYSICAL_LINES_MAX_BYTES + 1)
    arr = np.frombuffer(data, dtype=np.uint8)
    after = np.append(arr[1:], np.uint8(0))
    terminators = np.flatnonzero((arr == 10) | ((arr == 13) & (after != 10)))
    starts = np.concatenate(([0], terminators + 1))
    ends = np.concatenate((terminators, [arr.size]))
    # The CR of a CRLF belongs to the terminator, not to the line.
    crlf = np.zeros(ends.size, dtype=bool)
    has_cr = (ends > starts) & (ends < arr.size)
    crlf[has_cr] = (arr[ends[has_cr] - 1] == 13) & (arr[ends[has_cr]] == 10)
    blank = (ends - starts - crlf.astype(np.int64)) <= 0
    lines: npt.NDArray[np.int64] = (np.flatnonzero(~blank) + 1).astype(np.int64)
    return lines


def size_finding(
    path: Path, display: str, max_bytes: int, setting: str = "tabell_mb", *, root: Path | None = None
) -> Finding | None:
    """A finding when ``path`` (or, for XLSX, its unpacked content) is over ``max_bytes`` —
    or, with ``root`` (the workspace), when it is no regular file inside it."""
    opened = open_data_file(root, path, display)
    if isinstance(opened, Finding):
        return opened
    with opened:
        return open_size_finding(opened, path, display, max_bytes, setting)


def open_size_finding(
    f: BinaryIO, path: Path, display: str, max_bytes: int, setting: str = "tabell_mb"
) -> Finding | None:
    """:func:`size_finding` of a file already opened (``path`` tells whether it is XLSX)."""
    try:
        size = os.fstat(f.fileno()).st_size
        if path.suffix.lower() == ".xlsx" and size <= max_bytes and zipfile.is_zipfile(f):
            with zipfile.ZipFile(f) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > max_bytes:
                return error(
                    f"kalkylbladet packas upp till {_mb(unpacked)} MB, mer än gränsen {_mb(max_bytes)} MB "
                    f"(höj den med [granser] {setting} i bokslut.toml om filen är rätt)",
                    file=display,
                    code="for-stor",
                )
    except (OSError, zipfile.BadZipFile, ValueError):
        return None  # the reader itself says what is wrong with the file
    if size > max_bytes:
        return error(
            f"filen är {_mb(size)} MB, större än gränsen {_mb(max_bytes)} MB "
            f"(höj den med [granser] {setting} i bokslut.toml om filen är rätt)",
            file=display,
            code="for-stor",
        )
    return None


def _mb(n: int) -> str:
    return f"{n / MEGABYTE:.1f}".replace(".", ",").removesuffix(",0")


def open_workbook(
    path: Path | BinaryIO, display: str, *, data_only: bool = True
) -> tuple[Any, list[Finding]]:
    """An openpyxl workbook (read-only), or None and a Swedish finding for a file that is not one.

    ``path`` may be a file already opened (:func:`bokslut.workspace.safe_files.open_data_file`);
    the workbook reads it until it is closed.
    """
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=data_only), []
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key errors) for a broken file
        return None, [error(workbook_problem(exc), file=display, code="kalkylblad")]


def workbook_problem(exc: BaseException) -> str:
    """Why a spreadsheet could not be read, in Swedish (never the library's English)."""
    if isinstance(exc, zipfile.BadZipFile):
        return (
            "filen är ingen XLSX-fil (den är inte ett zip-arkiv) – spara den som "
            "Excel-arbetsbok (.xlsx) eller som CSV"
        )
    if isinstance(exc, KeyError):
        return "XLSX-filen saknar en del den måste ha (skadad eller inte sparad av ett kalkylprogram)"
    if isinstance(exc, OSError):
        return read_problem(exc)
    return "filen kunde inte läsas som kalkylblad (skadad eller i ett format som inte stöds)"


def _read_xlsx(source: Source) -> tuple[pa.Table, int]:
    from openpyxl import load_workbook

    raw = source.open()
    wb = load_workbook(raw, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return pa.table({}), 2
        names = [str(h).strip() if h is not None else "" for h in header]
        cols: list[list[str]] = [[] for _ in names]
        for row in rows:
            if row is None or all(v is None or str(v).strip() == "" for v in row):
                # Keep row numbers right: a blank row is an empty record, skipped below.
                for c in cols:
                    c.append("")
                continue
            for i in range(len(names)):
                v = row[i] if i < len(row) else None
                cols[i].append(_cell_text(v))
        # Trailing blank rows are formatting, not records.
        n = len(cols[0]) if cols else 0
        while n and all(c[n - 1] == "" for c in cols):
            n -= 1
        # from_arrays keeps a repeated header (a dict would drop one) so that it can be reported.
        return pa.Table.from_arrays([pa.array(c[:n], pa.string()) for c in cols], names=names), 2
    finally:
        wb.close()
        raw.close()


def _cell_text(v: object) -> str:
    import datetime as dt

    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        if v.hour == v.minute == v.second == 0:
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_table(
    path: Path,
    display: str,
    specs: Sequence[ColumnSpec],
    mapping: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    root: Path | None = None,
) -> tuple[RawTable | None, list[Finding]]:
    """Read ``path`` and find the columns of ``specs`` (via ``mapping``: ours -> theirs).

    With ``root`` (the workspace) the file must be a regular file inside it: a symbolic
    link leading out is refused before a byte is read (see :class:`Source`).

    Returns ``None`` with error findings when the file cannot be used at all
    (unreadable, larger than ``max_bytes``, or a required column is missing); unknown
    extra columns are a warning, since they may be a misspelt optional column. Rows with
    the wrong number of cells are errors naming the row, and the rest is read.
    """
    mapping = mapping or {}
    too_big = size_finding(path, display, max_bytes, root=root)
    if too_big is not None:
        return None, [too_big]
    source = Source(path, root)
    fast_types = {
        _normalise(mapping.get(spec.name, spec.name)): spec.fast_type
        for spec in specs
        if spec.fast_type is not None
    }
    bad_rows: list[BadRow] = []
    physical: npt.NDArray[np.int64] | None = None
    is_xlsx = path.suffix.lower() == ".xlsx"
    try:
        if is_xlsx:
            table, first_row = _read_xlsx(source)
        else:
            table, first_row, bad_rows = _read_csv(source, fast_types)
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        if isinstance(exc, (EOFError, gzip.BadGzipFile)):
            return None, [error("filen kunde inte läsas (den packade filen är skadad)", file=display)]
        return None, [error(read_problem(exc), file=display)]
    except Exception as exc:  # openpyxl raises many kinds for a broken file, Arrow a few
        if is_xlsx:
            return None, [error(workbook_problem(exc), file=display, code="kalkylblad")]
        return None, [csv_problem(exc, source, display)]
    findings: list[Finding] = []
    seen_headers: dict[str, int] = {}
    for position, name in enumerate(table.column_names, start=1):
        key = _normalise(name)
        if key and key in seen_headers:
            findings.append(
                error(
                    f"kolumnen '{name}' finns två gånger i rubrikraden (kolumn {seen_headers[key]} "
                    f"och {position}); bara en av dem kan användas",
                    file=display,
                    line=1,
                    where=f"kolumn {name}",
                    code="kolumn-dubblett",
                )
            )
        seen_headers.setdefault(key, position)
    if findings:
        return None, findings
    if bad_rows:
        physical = _physical_lines(source)
    if physical is not None:
        bad_rows = [
            BadRow(
                int(physical[b.number - 1]) if 0 < b.number <= physical.size else b.number,
                b.expected,
                b.actual,
            )
            for b in bad_rows
        ]
    for bad in bad_rows[:MAX_LISTED]:
        findings.append(
            error(
                f"raden har {bad.actual} fält men rubrikraden {bad.expected}; raden läses inte "
                "(ett citattecken som inte stängs eller en avgränsare för mycket?)",
                file=display,
                line=bad.number,
                code="falt-antal",
            )
        )
    if len(bad_rows) > MAX_LISTED:
        rest = ", ".join(str(b.number) for b in bad_rows[MAX_LISTED : MAX_LISTED + 10])
        findings.append(
            error(
                f"ytterligare {len(bad_rows) - MAX_LISTED} rader har fel antal fält och läses inte "
                f"(rad {rest}{' …' if len(bad_rows) > MAX_LISTED + 10 else ''})",
                file=display,
                code="falt-antal",
            )
        )
    headers = {_normalise(n): n for n in table.column_names}
    columns: dict[str, pa.ChunkedArray] = {}
    written: dict[str, str] = {}
    used: set[str] = set()
    for spec in specs:
        wanted = mapping.get(spec.name, spec.name)
        key = _normalise(wanted)
        if key in headers:
            name = headers[key]
            col = _as_text_unless(table.column(name), spec.fast_type)
            is_text = pa.types.is_string(col.type) or pa.types.is_large_string(col.type)
            columns[spec.name] = pc.utf8_trim_whitespace(col) if is_text else col
            written[spec.name] = name
            used.add(key)
        elif spec.required:
            hint = difflib.get_close_matches(key, list(headers), n=1, cutoff=0.6)
            extra = f"; menade du '{headers[hint[0]]}'?" if hint else ""
            via = f" (enligt bokslut.toml: '{wanted}')" if spec.name in mapping else ""
            findings.append(
                error(
                    f"kolumnen '{spec.name}'{via} saknas i rubrikraden{extra} "
                    f"Kolumner i filen: {', '.join(table.column_names) or '(inga)'}.",
                    file=display,
                    line=1,
                    where=f"kolumn {wanted}",
                    code="kolumn-saknas",
                )
            )
    for key, name in headers.items():
        if key not in used and name:
            findings.append(
                warning(
                    f"kolumnen '{name}' är okänd och används inte "
                    f"(kända: {', '.join(s.name for s in specs)})",
                    file=display,
                    line=1,
                    where=f"kolumn {name}",
                    code="okand-kolumn",
                )
            )
    if any(f.code == "kolumn-saknas" for f in findings):
        return None, findings
    rows = table.num_rows
    if bad_rows or is_xlsx:
        numbering = LineNumbers.known(_record_lines(rows, first_row, bad_rows, physical))
    else:
        # Blank lines are looked for only when a row number is first needed (for a finding).
        numbering = LineNumbers(lambda: _record_lines(rows, first_row, [], _physical_lines(source)))
    return RawTable(display, columns, first_row, written, rows, numbering), findings


def _as_text_unless(col: pa.ChunkedArray, fast_type: pa.DataType | None) -> pa.ChunkedArray:
    """The column as text, unless Arrow parsed it as the fast type asked for.

    Arrow infers a type for a column it was not told about (a header it split differently
    from us, an all-empty column as null); the parse helpers expect text there.
    """
    if col.type == fast_type or pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return col
    if pa.types.is_null(col.type):
        return pa.chunked_array([pa.array([""] * len(col), pa.string())])
    return pc.fill_null(pc.cast(col, pa.string()), "")


def _record_lines(
    rows: int, first_row: int, bad: Sequence[BadRow], physical: npt.NDArray[np.int64] | None
) -> npt.NDArray[np.int64] | None:
    """Line of each record read, when rows were left out (``bad``, already in file lines) or
    blank lines skipped (``physical``); None when records are simply first_row, first_row+1, …"""
    if not bad and physical is None:
        return None
    every = (
        physical[first_row - 1 :]
        if physical is not None
        else np.arange(first_row, first_row + rows + len(bad), dtype=np.int64)
    )
    left_out = np.array(sorted({b.number for b in bad}), dtype=np.int64)
    kept: npt.NDArray[np.int64] = every[~np.isin(every, left_out)][:rows].astype(np.int64)
    if kept.size < rows:
        # A quoted value spanning lines: the numberings cannot be matched; count records.
        return None
    return kept


# Bytes Windows-1252 leaves undefined: a file with them is in neither encoding bokslut reads.
CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"


def csv_problem(exc: BaseException, path: Path | Source, display: str) -> Finding:
    """Why a CSV could not be read, in Swedish, with the line when it can be found."""
    source = path if isinstance(path, Source) else Source(path)
    if isinstance(exc, UnicodeDecodeError):
        return error(
            "filen är varken UTF-8 eller Windows-1252 (tecken som inte finns i någon av dem); "
            "spara den som UTF-8",
            file=display,
            line=_first_line_with(source, CP1252_UNDEFINED),
            code="kodning",
        )
    if isinstance(exc, NotUtf8):
        return error(
            "filen är inte UTF-8 hela vägen (en del av filen har en annan teckenkodning); spara den "
            "som UTF-8 eller som Windows-1252 rakt igenom",
            file=display,
            line=exc.line,
            code="kodning",
        )
    text = str(exc)
    if "UTF8" in text:
        return error(
            "filen är inte UTF-8 hela vägen (en del av filen har en annan teckenkodning); spara den "
            "som UTF-8 eller som Windows-1252 rakt igenom",
            file=display,
            line=_first_bad_utf8_line(source),
            code="kodning",
        )
    if "newline" in text.lower() or "quote" in text.lower():
        return error(
            "ett citattecken stängs aldrig (eller en radbrytning står inom citattecken)", file=display
        )
    return error("filen kunde inte läsas som CSV-tabell", file=display)


def _first_line_with(source: Source, forbidden: bytes) -> int | None:
    """Line of the first byte of ``forbidden`` in the file (None if it has none)."""
    line = 1
    pattern = re.compile(b"[" + re.escape(forbidden) + b"]")
    try:
        with source.stream() as stream:
            while chunk := stream.read(1 << 20):
                match = pattern.search(chunk)
                if match:
                    return line + chunk.count(b"\n", 0, match.start())
                line += chunk.count(b"\n")
    except OSError:
        return None
    return None


# A packed CSV up to this size unpacked is read from memory (see _read_csv).
UNPACKED_IN_MEMORY_MAX = 64 * MEGABYTE


def _unpacked(source: Source) -> bytes | None:
    """The packed file's content, or None when it is larger than UNPACKED_IN_MEMORY_MAX or
    cannot be unpacked (the passes over the file then say what is wrong, as for any file)."""
    try:
        with source.stream() as stream:
            data = stream.read(UNPACKED_IN_MEMORY_MAX + 1)
    except OSError:
        return None
    return data if len(data) <= UNPACKED_IN_MEMORY_MAX else None


def _bad_utf8_line_in(data: bytes) -> int | None:
    """:func:`_first_bad_utf8_line` of content already in memory."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return 1 + data.count(b"\n", 0, exc.start)
    return None


def _first_bad_utf8_line(source: Source) -> int | None:
    line = 1
    try:
        with source.stream() as stream:
            tail = b""
            while chunk := stream.read(1 << 20):
                data = tail + chunk
                try:
                    data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    if exc.start < len(data) - 4 or len(chunk) < (1 << 20):
                        return line + data.count(b"\n", 0, exc.start)
                    # A character cut at the chunk's end: decide with the next chunk.
                    tail = data[exc.start :]
                    line += data.count(b"\n", 0, exc.start)
                    continue
                line += data.count(b"\n")
                tail = b""
    except OSError:
        return None
    return None


# ---------------------------------------------------------------------------
# Vectorised parsing with precise findings


@dataclass
class Problems:
    """Collects bad cells of one file and turns them into findings (listed, then summed up)."""

    raw: RawTable
    findings: list[Finding]

    def rows(self, mask: npt.NDArray[np.bool_], column: str, message: str, code: str) -> None:
        numbers = self.raw.row_numbers(mask)
        if numbers.size == 0:
            return
        header = self.raw.column_headers.get(column, column)
        values = self.raw.columns.get(column)
        idx = np.flatnonzero(mask)
        for k, row_no in enumerate(numbers[:MAX_LISTED]):
            quoted = ""
            if values is not None:
                quoted = f" (värdet '{shown(values[int(idx[k])].as_py())}')"
            self.findings.append(
                error(
                    f"{message}{quoted}",
                    file=self.raw.file,
                    line=int(row_no),
                    where=f"kolumn {header}",
                    code=code,
                )
            )
        if numbers.size > MAX_LISTED:
            rest = numbers[MAX_LISTED:]
            listed = ", ".join(str(int(n)) for n in rest[:10])
            more = " …" if rest.size > 10 else ""
            self.findings.append(
                error(
                    f"{message} – ytterligare {rest.size} rader (rad {listed}{more})",
                    file=self.raw.file,
                    where=f"kolumn {header}",
                    code=code,
                )
            )


def shown(value: object, limit: int = 60) -> str:
    """A cell as quoted in a message: control characters escaped (a NUL or an escape sequence
    is not sent to the terminal) and a megabyte-long cell not repeated in full."""
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in str(value)[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text(raw: RawTable, name: str) -> npt.NDArray[np.object_]:
    """A column's cells as stripped Python strings (empty string when the column is absent)."""
    if name not in raw.columns:
        return np.full(raw.rows, "", dtype=object)
    return np.asarray(pc.utf8_trim_whitespace(raw.columns[name]).to_numpy(zero_copy_only=False), dtype=object)


def codes(raw: RawTable, name: str, *, with_names: bool = True) -> tuple[npt.NDArray[np.int32], list[str]]:
    """A text column as integer codes and the distinct texts they stand for.

    Grouping a million rows by code is a bincount; grouping Python strings is not.
    """
    col = stripped(raw, name)
    if pa.types.is_dictionary(col.type):
        encoded = col.unify_dictionaries().combine_chunks() if col.num_chunks else col
    else:
        encoded = pc.dictionary_encode(col)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.unify_dictionaries().combine_chunks()
    if isinstance(encoded, pa.ChunkedArray):  # an empty file has no chunks
        return np.zeros(0, dtype=np.int32), []
    idx = np.asarray(encoded.indices.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int32)
    if not with_names:
        return idx, []
    raw_names = [str(v).strip() for v in encoded.dictionary.to_pylist()]
    if pa.types.is_dictionary(col.type) and encoded.null_count:
        raw_names.append("")  # a null (empty) cell in a dictionary column
        idx = np.where(np.asarray(encoded.indices.is_null()), len(raw_names) - 1, idx).astype(np.int32)
    # Texts that differ only in surrounding spaces are one value.
    position = {n: i for i, n in enumerate(dict.fromkeys(raw_names))}
    names = list(position)
    remap = np.array([position[n] for n in raw_names] or [0], dtype=np.int32)
    return remap[idx], names


def stripped(raw: RawTable, name: str) -> pa.ChunkedArray:
    if name not in raw.columns:
        return pa.chunked_array([pa.array([""] * raw.rows, pa.string())])
    return raw.columns[name]


def empty_mask(raw: RawTable, name: str) -> npt.NDArray[np.bool_]:
    col = stripped(raw, name)
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        if pa.types.is_dictionary(col.type):
            code, names = codes(raw, name)
            empty: npt.NDArray[np.bool_] = code == (names.index("") if "" in names else -1)
            return empty
        return np.asarray(col.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    return np.asarray(pc.equal(col, "").to_numpy(zero_copy_only=False), dtype=bool)


# Dates outside these years are typing errors (0023 for 2023), and would make calendars
# (holidays, working days) span millennia.
EARLIEST = np.datetime64("1900-01-01", "s")
AFTER_LATEST = np.datetime64("2201-01-01", "s")


def _in_years(
    out: npt.NDArray[np.datetime64], raw: RawTable, name: str, problems: Problems
) -> npt.NDArray[np.datetime64]:
    with np.errstate(invalid="ignore"):
        far = ~np.isnat(out) & ((out < EARLIEST) | (out >= AFTER_LATEST))
    if far.any():
        problems.rows(far, name, "datumet ligger utanför åren 1900–2200", "datum")
        out[far] = np.datetime64("NaT")
    return out


def parse_date(raw: RawTable, name: str, problems: Problems, *, required: bool) -> npt.NDArray[np.datetime64]:
    """ÅÅÅÅ-MM-DD (a timestamp's date part is accepted) -> datetime64[D], NaT when empty."""
    return _in_years(_parse_date(raw, name, problems, required=required), raw, name, problems)


def _parse_date(
    raw: RawTable, name: str, problems: Problems, *, required: bool
) -> npt.NDArray[np.datetime64]:
    col = stripped(raw, name)
    if pa.types.is_date(col.type):  # parsed while reading
        out_typed = np.array(col.to_numpy()).astype("datetime64[D]")
        if required:
            problems.rows(np.isnat(out_typed), name, "datum saknas", "saknas")
        return out_typed
    head = pc.utf8_slice_codeunits(col, 0, 10)
    parsed = pc.strptime(head, format="%Y-%m-%d", unit="s", error_is_null=True)
    out = np.array(parsed.to_numpy(zero_copy_only=False)).astype("datetime64[D]")
    _reject_normalised(out, head)
    empty = np.asarray(pc.equal(col, "").to_numpy(zero_copy_only=False), dtype=bool)
    bad = np.isnat(out) & ~empty
    long_tail = (
        np.asarray(pc.greater(pc.utf8_length(col), 10).to_numpy(zero_copy_only=False), dtype=bool) & ~bad
    )
    problems.rows(bad, name, "ogiltigt datum, väntade ÅÅÅÅ-MM-DD", "datum")
    if long_tail.any():
        # "2023-01-05x" would otherwise pass as its first ten characters.
        tail = pc.utf8_slice_codeunits(col, 10, 64)
        ok_tail = np.asarray(
            pc.match_substring_regex(tail, r"^([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$").to_numpy(
                zero_copy_only=False
            ),
            dtype=bool,
        )
        bad_tail = long_tail & ~ok_tail
        problems.rows(bad_tail, name, "ogiltigt datum, väntade ÅÅÅÅ-MM-DD", "datum")
        out[bad_tail] = np.datetime64("NaT")
    if required:
        problems.rows(empty, name, "datum saknas", "saknas")
    return out


def _reject_normalised(parsed: npt.NDArray[np.datetime64], head: pa.ChunkedArray | pa.Array) -> None:
    """strptime turns 2023-02-30 into 2 March; such a date is wrong, not a date (set to NaT)."""
    ok = ~np.isnat(parsed)
    if not ok.any():
        return
    days = parsed.astype("datetime64[D]")
    parsed_day = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    day_text = pc.utf8_slice_codeunits(head, 8, 10)
    digits = pc.if_else(
        pc.match_substring_regex(day_text, r"^\d{1,2}$"), day_text, pa.scalar(None, pa.string())
    )
    written_day = np.asarray(pc.fill_null(pc.cast(digits, pa.int64()), -1).to_numpy(), dtype=np.int64)
    parsed[ok & (parsed_day != written_day)] = np.datetime64("NaT")


_TS_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M")


def parse_timestamp(
    raw: RawTable, name: str, problems: Problems, *, required: bool
) -> npt.NDArray[np.datetime64]:
    """ISO timestamps ("2023-05-04T10:11:12", "2023-05-04 10:11") -> datetime64[s] (NaT: empty)."""
    return _in_years(_parse_timestamp(raw, name, problems, required=required), raw, name, problems)


def _parse_timestamp(
    raw: RawTable, name: str, problems: Problems, *, required: bool
) -> npt.NDArray[np.datetime64]:
    col = stripped(raw, name)
    if pa.types.is_timestamp(col.type):  # parsed while reading
        out = np.array(col.to_numpy()).astype("datetime64[s]")
        if required:
            problems.rows(np.isnat(out), name, "tidpunkt saknas", "saknas")
        return out
    empty = np.asarray(pc.equal(col, "").to_numpy(zero_copy_only=False), dtype=bool)
    try:
        # Fast path: Arrow's own ISO 8601 cast handles both separators and all-valid columns.
        source = col
        if empty.any():
            source = pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), col)
        ts = pc.cast(source, pa.timestamp("s"))
        return np.array(ts.to_numpy(zero_copy_only=False)).astype("datetime64[s]")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    out = np.full(raw.rows, np.datetime64("NaT"), dtype="datetime64[s]")
    for fmt in _TS_FORMATS:
        parsed = pc.strptime(col, format=fmt, unit="s", error_is_null=True)
        arr = np.array(parsed.to_numpy(zero_copy_only=False)).astype("datetime64[s]")
        _reject_normalised(arr, pc.utf8_slice_codeunits(col, 0, 10))
        fill = np.isnat(out) & ~np.isnat(arr)
        out[fill] = arr[fill]
    bad = np.isnat(out) & ~empty
    problems.rows(bad, name, "ogiltig tidpunkt, väntade ÅÅÅÅ-MM-DD TT:MM[:SS]", "tidpunkt")
    if required:
        problems.rows(empty, name, "tidpunkt saknas", "saknas")
    return out


def parse_number(
    raw: RawTable,
    name: str,
    problems: Problems,
    *,
    required: bool,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    what: str = "ett tal",
) -> npt.NDArray[np.float64]:
    """Decimal comma or point, optional '%' -> float64 (NaN when empty); range-checked.

    Floats are fine here: these are hours, percentages and seconds, never money.
    """
    col = stripped(raw, name)
    out: npt.NDArray[np.float64] | None = None
    if pa.types.is_floating(col.type) or pa.types.is_integer(col.type):  # parsed while reading
        empty = np.asarray(col.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        out = np.array(pc.cast(col, pa.float64()).fill_null(np.nan).to_numpy(), dtype=np.float64)
        valid = ~empty & ~np.isnan(out)
    else:
        out = _cast_float(col)
        if out is None:
            col = pc.replace_substring(pc.replace_substring(col, ",", "."), "%", "")
            col = pc.replace_substring(pc.utf8_trim_whitespace(col), "\u00a0", "")
            col = pc.replace_substring(col, " ", "")
        empty = np.asarray(pc.equal(col, "").to_numpy(zero_copy_only=False), dtype=bool)
        if out is not None:
            valid = ~np.isnan(out)
        else:
            valid = np.asarray(
                pc.match_substring_regex(col, r"^[+-]?(\d+(\.\d*)?|\.\d+)$").to_numpy(zero_copy_only=False),
                dtype=bool,
            )
            cleaned = pc.if_else(pa.array(valid), col, pa.scalar(None, pa.string()))
            out = np.array(pc.cast(cleaned, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    with np.errstate(invalid="ignore"):
        # "1e400" and "inf" become infinite floats; no hour, share or second is.
        infinite = valid & ~np.isfinite(out)
    out[infinite] = np.nan
    valid = valid & ~infinite
    bad = ~valid & ~empty
    problems.rows(bad, name, f"ska vara {what}", "tal")
    if required:
        problems.rows(empty, name, f"värde saknas, väntade {what}", "saknas")
    with np.errstate(invalid="ignore"):
        if low is not None:
            under = (out < low) if low_inclusive else (out <= low)
            problems.rows(
                under & valid,
                name,
                f"ska vara {what} ({'minst' if low_inclusive else 'större än'} {_fmt(low)})",
                "intervall",
            )
            out[under & valid] = np.nan
        if high is not None:
            over = out > high
            problems.rows(over & valid, name, f"ska vara {what} (högst {_fmt(high)})", "intervall")
            out[over & valid] = np.nan
    return out


def _cast_float(col: pa.ChunkedArray) -> npt.NDArray[np.float64] | None:
    """The column as floats when every cell is a plain number (one cast, no cleaning)."""
    try:
        return np.array(pc.cast(col, pa.float64()).to_numpy(), dtype=np.float64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x).replace(".", ",")


def parse_choice(
    raw: RawTable,
    name: str,
    problems: Problems,
    choices: Mapping[str, str],
    *,
    required: bool,
    what: str,
    shown_choices: Sequence[str] = (),
) -> npt.NDArray[np.str_]:
    """Map cell text (case-insensitive) through ``choices`` -> canonical value ('' when empty)."""
    # Map the few distinct texts, not the million cells.
    code, names = codes(raw, name)
    lowered = {k.casefold(): v for k, v in choices.items()}
    mapped = np.array([lowered.get(n.casefold(), "") for n in names] + [""], dtype=str)
    known = np.array([n.casefold() in lowered or n == "" for n in names] + [True], dtype=bool)
    out: npt.NDArray[np.str_] = mapped[code]
    empty_code = names.index("") if "" in names else -1
    empty = code == empty_code
    unknown = ~known[code]
    allowed = ", ".join(shown_choices) if shown_choices else ", ".join(sorted(set(choices)))
    problems.rows(unknown, name, f"okänt värde för {what} (tillåtna: {allowed})", "okant-varde")
    if required:
        problems.rows(empty, name, f"{what} saknas", "saknas")
    return out


def years_of(ts: npt.NDArray[np.datetime64]) -> npt.NDArray[np.int64]:
    """Calendar year of each timestamp (0 for NaT); a search among year starts, not a calendar
    conversion per element, which matters at millions of rows."""
    out = np.zeros(ts.shape, dtype=np.int64)
    ok = ~np.isnat(ts)
    if not ok.any():
        return out
    seconds = ts[ok].astype("datetime64[s]").astype(np.int64)
    first = int(np.datetime64(int(seconds.min()), "s").astype("datetime64[Y]").astype(np.int64)) + 1970
    last = int(np.datetime64(int(seconds.max()), "s").astype("datetime64[Y]").astype(np.int64)) + 1970
    starts = np.array([f"{y}-01-01" for y in range(first, last + 2)], dtype="datetime64[s]").astype(np.int64)
    out[ok] = first + np.searchsorted(starts, seconds, side="right") - 1
    return out


def within_period(
    ts: npt.NDArray[np.datetime64], years: npt.NDArray[np.int64], closing_month_day: tuple[int, int]
) -> npt.NDArray[np.bool_]:
    """True where a timestamp falls on or before the closing day (month, day) of its own year.

    An interim report compares January to the closing day of every year; an annual report's
    closing day is 31 December and keeps everything.
    """
    month, day = closing_month_day
    if (month, day) == (12, 31):
        return ~np.isnat(ts)
    ok = ~np.isnat(ts)
    if not ok.any():
        return ok
    first, last = int(years[ok].min()), int(years[ok].max())
    cutoffs = []
    for y in range(first, last + 1):
        d = (
            min(day, 28)
            if month == 2 and day == 29 and not (y % 4 == 0 and (y % 100 or y % 400 == 0))
            else day
        )
        cutoffs.append(f"{y}-{month:02d}-{d:02d}")
    ends = np.array(cutoffs, dtype="datetime64[D]") + np.timedelta64(1, "D")
    out = np.zeros(ts.shape, dtype=bool)
    out[ok] = ts[ok] < ends[years[ok] - first].astype(ts.dtype)
    return out


def parse_flag(
    raw: RawTable, name: str, problems: Problems, *, required: bool, what: str
) -> npt.NDArray[np.int8]:
    """ja/nej -> 1/0 (-1 when empty or unreadable), mapped per distinct text, not per cell."""
    code, names = codes(raw, name)
    words = {"ja": 1, "j": 1, "1": 1, "true": 1, "nej": 0, "n": 0, "0": 0, "false": 0}
    value_of = np.array([words.get(n.casefold(), -1) for n in names] + [-1], dtype=np.int8)
    out: npt.NDArray[np.int8] = value_of[code]
    empty_code = names.index("") if "" in names else -2
    empty = code == empty_code
    problems.rows((out < 0) & ~empty, name, f"{what} ska vara ja eller nej", "okant-varde")
    if required:
        problems.rows(empty, name, f"{what} saknas", "saknas")
    return out


def join_values(values: Iterable[str]) -> str:
    return ", ".join(values)
