"""The PDF and the Word file are made by a second process while the build composes; the files
are the same as when the build makes them itself, also when that process fails."""

import sys

import pytest

import bokslut.pipeline.build as build_module
from bokslut.diagnostics import BokslutError
from bokslut.pipeline import render_worker
from bokslut.pipeline.build import build_report

from .test_build import sample_parts, workspace


def _sums(folder):
    return (folder / "SHA256SUMS").read_text(encoding="utf-8")


@pytest.fixture
def built_here(tmp_path_factory, monkeypatch):
    """SHA256SUMS of the sample report built without a worker."""
    tmp = tmp_path_factory.mktemp("utan-hjalp")
    layout, config = workspace(tmp)
    with monkeypatch.context() as m:
        m.setattr(render_worker, "start", lambda formats: None)
        build_report(layout, config, [sample_parts], formats=("pdf", "docx", "html"), quiet=True)
    return _sums(layout.build)


def test_the_worker_makes_the_same_files(tmp_path, built_here, monkeypatch):
    started = []
    real_start = render_worker.start

    def start(formats):
        started.append(real_start(formats))
        return started[-1]

    monkeypatch.setattr(render_worker, "start", start)
    layout, config = workspace(tmp_path)
    build_report(layout, config, [sample_parts], formats=("pdf", "docx", "html"), quiet=True)
    (worker,) = started
    assert worker.formats == ("pdf", "docx")
    assert sorted(worker.results()) == ["docx", "pdf"]  # both made by the worker
    assert _sums(layout.build) == built_here
    assert [line.split()[1] for line in built_here.splitlines()] == [
        "arsredovisning-2023.docx",
        "arsredovisning-2023.html",
        "arsredovisning-2023.pdf",
    ]


GARBAGE = "import sys; sys.stdin.buffer.read(); sys.stdout.write('inget dokument')"


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-c", "pass"],  # ends at once
        [sys.executable, "-c", GARBAGE],  # answers with something that is not a result
        [sys.executable, "-c", "import os; os._exit(3)"],
    ],
    ids=["ends at once", "answers garbage", "dies"],
)
def test_a_failing_worker_only_costs_time(tmp_path, built_here, monkeypatch, command):
    monkeypatch.setattr(
        render_worker, "start", lambda formats: render_worker.RenderWorker(formats, command=command)
    )
    layout, config = workspace(tmp_path)
    build_report(layout, config, [sample_parts], formats=("pdf", "docx", "html"), quiet=True)
    assert _sums(layout.build) == built_here


def test_a_renderer_put_in_place_of_the_standard_one_is_used_here(tmp_path, monkeypatch):
    layout, config = workspace(tmp_path)

    def broken(doc):
        raise BokslutError("Word-filen kunde inte skapas: test")

    monkeypatch.setitem(build_module.RENDERERS, "docx", broken)
    with pytest.raises(BokslutError, match="Word-filen kunde inte skapas"):
        build_report(layout, config, [sample_parts], formats=("pdf", "docx"), quiet=True)
    assert not layout.build.exists()


def test_the_worker_ends_when_the_build_stops_before_rendering(tmp_path, render_workers_started):
    workers = render_workers_started
    layout, config = workspace(tmp_path)
    (layout.text_dir / "99-fel.md").write_text("{{ v.finns_inte | tkr }}", encoding="utf-8")
    with pytest.raises(BokslutError):
        build_report(layout, config, [sample_parts], quiet=True)
    (worker,) = workers
    assert worker._process is None  # closed: killed and waited for


def test_a_worker_the_caller_started_is_used_and_ended(tmp_path, built_here, monkeypatch):
    monkeypatch.setattr(render_worker, "start", lambda formats: pytest.fail("a second worker was started"))
    worker = render_worker.RenderWorker(("pdf", "docx"))
    layout, config = workspace(tmp_path)
    build_report(layout, config, [sample_parts], formats=("pdf", "docx", "html"), quiet=True, worker=worker)
    assert sorted(worker.results()) == ["docx", "pdf"]
    assert worker._process is None  # ended by the build
    assert _sums(layout.build) == built_here


def test_a_callers_worker_does_not_stand_in_for_a_renderer_put_in_place(tmp_path, monkeypatch):
    def broken(doc):
        raise BokslutError("Word-filen kunde inte skapas: test")

    monkeypatch.setitem(build_module.RENDERERS, "docx", broken)
    worker = render_worker.RenderWorker(("pdf", "docx"))
    layout, config = workspace(tmp_path)
    with pytest.raises(BokslutError, match="Word-filen kunde inte skapas"):
        build_report(layout, config, [sample_parts], formats=("pdf", "docx"), quiet=True, worker=worker)
    assert worker._process is None
