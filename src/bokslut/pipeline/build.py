"""`bokslut build`: gather the parts, compose the chapters, render every format.

Outputs are written to a fresh folder next to the target and swapped in only
when every format has been rendered, so a failed build leaves the previous
outputs untouched. Identical inputs give byte-identical files: every timestamp
inside them is the report's closing date, never the clock.

The swap happens under the workspace's writer lock (:mod:`bokslut.lock`), which
also tidies what killed builds left: a build/ moved aside and never put back
returns, scratch folders of dead builds go.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bokslut.compose.report import PartsProvider, compose_report, title_page
from bokslut.diagnostics import BokslutError, Finding, has_errors
from bokslut.document import Document
from bokslut.lock import writer_lock
from bokslut.pipeline import render_worker
from bokslut.pipeline.check import CHECKS, Check, check_workspace
from bokslut.pipeline.formats import FORMATS, parse_formats
from bokslut.workspace.config import Config
from bokslut.workspace.layout import Layout

__all__ = ["FORMATS", "BuildResult", "build_report", "compose_workspace", "parse_formats", "title_page"]


def _imported_when_used(fmt: str) -> Callable[[Document], bytes]:
    """The renderer of a format the worker process makes, imported here only if needed."""

    def render(doc: Document) -> bytes:
        return render_worker.renderer(fmt)(doc)

    return render


def _imported_on_first_use(module: str, name: str) -> Callable[[Document], Any]:
    """A renderer imported when a build first calls it: once the document is composed and
    sent to the worker, so its libraries load while the worker renders, not before."""

    def render(doc: Document) -> Any:
        return getattr(importlib.import_module(module), name)(doc)

    return render


render_html: Callable[[Document], bytes] = _imported_on_first_use("bokslut.render.html", "render_html")
render_xlsx: Callable[[Document], bytes] = _imported_on_first_use("bokslut.render.xlsx", "render_xlsx")
render_json: Callable[[Document], bytes] = _imported_on_first_use("bokslut.render.json", "render_json")
render_site: Callable[[Document], dict[str, bytes]] = _imported_on_first_use(
    "bokslut.render.html_site", "render_site"
)
render_pdf = _imported_when_used("pdf")
render_docx = _imported_when_used("docx")
RENDERERS: dict[str, Callable[[Document], bytes]] = {
    "html": render_html,
    "pdf": render_pdf,
    "docx": render_docx,
    "xlsx": render_xlsx,
    "json": render_json,
}
# The renderers a worker process may stand in for (not one a caller has put in their place).
_STANDARD = {"pdf": render_pdf, "docx": render_docx}
# Formats that are a folder of files: the web site, one page per chapter (build/webb/).
SITE_RENDERERS: dict[str, Callable[[Document], dict[str, bytes]]] = {"webb": render_site}
# Formats rendered on a thread beside the others (their work is mostly outside Python's lock).
PARALLEL = frozenset({"pdf"})
SUMS_NAME = "SHA256SUMS"


@dataclass(frozen=True, slots=True)
class BuildResult:
    out_dir: Path
    files: tuple[Path, ...]
    findings: tuple[Finding, ...]
    draft: bool = False  # built with --utkast despite errors; every output is marked


class Progress:
    """Progress lines on stderr, shown only once the build has run for a second."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.start = time.perf_counter()

    def step(self, text: str) -> None:
        if not self.quiet and time.perf_counter() - self.start > 1.0:
            print(f"  {text}", file=sys.stderr, flush=True)


def output_stem(config: Config) -> str:
    return f"{config.rapport.typ.value}-{config.rapport.ar}"


def compose_workspace(
    layout: Layout, config: Config, parts_providers: Sequence[PartsProvider]
) -> tuple[Document, list[Finding]]:
    """The document and the findings of composing it (no checks); raises when it cannot be made."""
    report = compose_report(layout, config, parts_providers)
    findings = list(report.findings)
    if report.document is None or has_errors(findings):
        raise BokslutError("Rapporten kan inte sättas ihop.", findings)
    return report.document, findings


def _is_previous_build(folder: Path) -> bool:
    return not any(folder.iterdir()) or (folder / SUMS_NAME).is_file()


def build_report(
    layout: Layout,
    config: Config,
    parts_providers: Sequence[PartsProvider],
    formats: Sequence[str] = FORMATS,
    out_dir: Path | None = None,
    quiet: bool = False,
    draft: bool = False,
    checks: Sequence[Check] = CHECKS,
    worker: render_worker.RenderWorker | None = None,
) -> BuildResult:
    """Check the report and write every format; errors stop the build unless ``draft``.

    A draft is built from whatever could be composed, and every page and sheet of
    it says UTKAST – EJ KONTROLLERAD. A clean build carries no mark, so the same
    inputs still give the same bytes.

    ``worker`` is a render worker the caller started early (the command line does, before
    it imports the build); the build ends it. Without one the build starts its own.
    """
    standard = [f for f in formats if _STANDARD.get(f) is RENDERERS.get(f)]
    try:
        _tidy_leftovers(layout, out_dir if out_dir is not None else layout.build)
        progress = Progress(quiet)
        target = out_dir if out_dir is not None else layout.build
        if target.exists() and not target.is_dir():
            raise BokslutError(f"{target}: finns redan och är ingen mapp")
        if target.is_dir() and target != layout.build and not _is_previous_build(target):
            raise BokslutError(
                f"{target}: mappen innehåller annat än en tidigare byggd rapport – "
                "välj en tom mapp så skrivs inget över"
            )
        # Started first, so that it imports its libraries while this process composes.
        if worker is None:
            worker = render_worker.start(standard)
        # Only what the worker can make as the build would: a renderer put in the standard
        # one's place (or a format not asked for) is the build's own.
        elsewhere = set(worker.formats) & set(standard) if worker is not None else set()
        return _build(
            layout, config, parts_providers, formats, target, progress, draft, checks, worker, elsewhere
        )
    finally:
        if worker is not None:
            worker.close()


def _build(
    layout: Layout,
    config: Config,
    parts_providers: Sequence[PartsProvider],
    formats: Sequence[str],
    target: Path,
    progress: Progress,
    draft: bool,
    checks: Sequence[Check],
    worker: render_worker.RenderWorker | None,
    elsewhere: set[str],
) -> BuildResult:
    checked = check_workspace(layout, config, parts_providers, checks)
    findings = list(checked.findings)
    doc = checked.report.document
    if doc is None or (not checked.ok and not draft):
        hint = "" if doc is None else " (bygg ett utkast med --utkast)"
        raise BokslutError(
            f"Rapporten har fel och byggs inte{hint}; en tidigare byggd rapport lämnas orörd.", findings
        )
    if not checked.ok:
        doc = replace(doc, draft=True)
    progress.step("kapitlen sammanställda och kontrollerade")
    if worker is not None and elsewhere:
        worker.submit(doc)
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = _scratch(target, "ny")
    fresh.mkdir()
    try:
        stem = output_stem(config)
        with ThreadPoolExecutor(max_workers=max(1, len(PARALLEL))) as pool:
            # Typst lays out the PDF in native code without Python's lock, so a PDF made here
            # is made on a thread of its own while the other formats are written; each format
            # is a function of the document alone, so the bytes do not depend on the order
            # nor on the process that made them.
            background = {
                fmt: pool.submit(RENDERERS[fmt], doc)
                for fmt in formats
                if fmt in PARALLEL and fmt not in elsewhere
            }
            written: dict[str, list[Path]] = {}
            later = (*background, *(f for f in formats if f in elsewhere))
            for fmt in (*(f for f in formats if f not in later), *later):
                if fmt in SITE_RENDERERS:
                    folder = fresh / fmt
                    folder.mkdir()
                    written[fmt] = []
                    for name, data in sorted(SITE_RENDERERS[fmt](doc).items()):
                        (folder / name).write_bytes(data)
                        written[fmt].append(folder / name)
                else:
                    path = fresh / f"{stem}.{fmt}"
                    job = background.get(fmt)
                    made = worker.results().get(fmt) if worker is not None and fmt in elsewhere else None
                    if made is None:
                        made = RENDERERS[fmt](doc) if job is None else job.result()
                    path.write_bytes(made)
                    written[fmt] = [path]
                progress.step(f"{fmt} klar")
        files = [path for fmt in formats for path in written[fmt]]
        names = sorted(p.relative_to(fresh).as_posix() for p in files)
        sums = "".join(f"{hashlib.sha256((fresh / n).read_bytes()).hexdigest()}  {n}\n" for n in names)
        (fresh / SUMS_NAME).write_text(sums, encoding="utf-8")
        _swap(fresh, target, layout)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return BuildResult(
        target, tuple(target / p.relative_to(fresh) for p in files), tuple(findings), doc.draft
    )


def _scratch(target: Path, kind: str) -> Path:
    """A folder name beside ``target`` for this process (left over only if a build was killed)."""
    path = target.parent / f".{target.name}-{kind}-{os.getpid()}"
    if path.is_symlink():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)
    return path


def _swap(fresh: Path, target: Path, layout: Layout) -> None:
    """Put ``fresh`` in place of ``target``; the old outputs go only once the new are in."""
    with writer_lock(layout):
        _recover_leftovers(target)
        if not target.exists():
            fresh.replace(target)
            return
        old = _scratch(target, "gammal")
        target.replace(old)
        try:
            fresh.replace(target)
        except BaseException:
            old.replace(target)
            raise
        shutil.rmtree(old, ignore_errors=True)


def _tidy_leftovers(layout: Layout, target: Path) -> None:
    with writer_lock(layout):
        _recover_leftovers(target)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _remove(path: Path) -> None:
    if path.is_symlink():
        path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def _recover_leftovers(target: Path) -> None:
    """Undo what killed builds left beside ``target`` (call under the writer lock).

    A ``.NAME-gammal-PID`` is the previous outputs moved aside by a swap; swaps run
    under the lock, so any found now belongs to a swap that never finished: it is put
    back if ``target`` is missing and removed otherwise. A ``.NAME-ny-PID`` is a build's
    scratch folder, removed once its process is gone.
    """
    parent = target.parent
    if not parent.is_dir():
        return
    moved_aside: list[Path] = []
    for entry in parent.iterdir():
        for kind in ("ny", "gammal"):
            prefix = f".{target.name}-{kind}-"
            pid = entry.name.removeprefix(prefix)
            if pid == entry.name or not pid.isascii() or not pid.isdigit():
                continue
            if kind == "gammal" and entry.is_dir() and not entry.is_symlink():
                moved_aside.append(entry)
            elif kind == "gammal" or (int(pid) != os.getpid() and not _pid_alive(int(pid))):
                _remove(entry)
    moved_aside.sort(key=lambda p: p.stat().st_mtime_ns)
    if moved_aside and not target.exists() and not target.is_symlink():
        moved_aside.pop().replace(target)
    for entry in moved_aside:
        _remove(entry)
