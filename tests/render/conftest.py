"""Fixtures: a realistic composed report (see sample_report.py) shared by the renderer tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from bokslut.compose.chapters import compose
from bokslut.document import Document
from bokslut.report_data import ReportData


def load_sample() -> ModuleType:
    path = Path(__file__).with_name("sample_report.py")
    spec = importlib.util.spec_from_file_location("bokslut_sample_report", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def sample() -> ModuleType:
    return load_sample()


@pytest.fixture(scope="session")
def doc(sample: ModuleType) -> Document:
    return compose(sample.CHAPTERS, ReportData.merge(sample.parts()), sample.title_page())
