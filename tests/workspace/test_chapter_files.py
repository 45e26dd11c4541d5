"""Chapters are read only as plain files inside the workspace, within a size limit."""

from __future__ import annotations

import pytest

from bokslut.compose.chapters import read_chapters
from bokslut.diagnostics import BokslutError
from bokslut.workspace.layout import Layout
from bokslut.workspace.safe_files import inside, leaves_workspace


@pytest.fixture
def layout(tmp_path):
    layout = Layout(tmp_path / "ws")
    layout.text_dir.mkdir(parents=True)
    (layout.text_dir / "01-inledning.md").write_text("# Inledning\n", encoding="utf-8")
    return layout


def refused(layout, **kw):
    with pytest.raises(BokslutError) as info:
        read_chapters(layout, **kw)
    return info.value.findings


def test_a_symlink_to_a_file_outside_is_refused_and_its_content_never_read(layout, tmp_path):
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:HEMLIGT\n", encoding="utf-8")
    (layout.text_dir / "99.md").symlink_to(secret)
    (finding,) = refused(layout)
    assert finding.file == "text/99.md"
    assert "symbolisk länk" in finding.message
    assert "HEMLIGT" not in finding.format()


def test_a_symlink_to_etc_passwd_is_refused(layout):
    (layout.text_dir / "99.md").symlink_to("/etc/passwd")
    (finding,) = refused(layout)
    assert finding.format().startswith("text/99.md: fel: filen är en symbolisk länk")


def test_a_symlinked_text_folder_is_refused(tmp_path):
    outside = tmp_path / "annan"
    outside.mkdir()
    (outside / "01.md").write_text("# Annans text", encoding="utf-8")
    layout = Layout(tmp_path / "ws")
    layout.root.mkdir()
    (layout.text_dir).symlink_to(outside)
    (finding,) = refused(layout)
    assert finding.file == "text" and "symbolisk länk" in finding.message


def test_a_folder_named_like_a_chapter_is_a_finding(layout):
    (layout.text_dir / "x.md").mkdir()
    (finding,) = refused(layout)
    assert finding.format() == "text/x.md: fel: är en mapp, inte en fil"


def test_a_symlink_loop_is_a_finding_not_a_traceback(layout):
    (layout.text_dir / "a.md").symlink_to(layout.text_dir / "b.md")
    (layout.text_dir / "b.md").symlink_to(layout.text_dir / "a.md")
    findings = refused(layout)
    assert [f.file for f in findings] == ["text/a.md", "text/b.md"]


def test_a_chapter_over_the_size_limit_is_refused_with_the_setting_to_change(layout):
    (layout.text_dir / "02-stor.md").write_text("x" * 5000, encoding="utf-8")
    (finding,) = refused(layout, max_bytes=4096)
    assert finding.file == "text/02-stor.md"
    assert "större än gränsen 4 kB" in finding.message and "max_storlek_kb" in finding.message
    assert [n for n, _ in read_chapters(layout, max_bytes=8192)] == [
        "text/01-inledning.md",
        "text/02-stor.md",
    ]


def test_the_size_limit_is_a_setting_in_bokslut_toml(tmp_path):
    from bokslut.workspace.config import load_config

    path = tmp_path / "bokslut.toml"
    path.write_text(
        '[organisation]\nnamn = "A"\ntyp = "kommun"\n[rapport]\nar = 2023\n[kapitel]\nmax_storlek_kb = 64\n',
        encoding="utf-8",
    )
    assert load_config(path).kapitel.max_storlek_kb == 64


@pytest.mark.parametrize(
    "reference, outside",
    [
        ("../../etc/passwd", True),
        ("/etc/passwd", True),
        ("file:///etc/passwd", True),
        ("https://example.org/bild.png", True),
        ("C:/Windows/win.ini", True),
        ("..\\..\\hemligt.txt", True),
        ("../bilder/logga.png", False),
        ("bilder/logga.png", False),
    ],
)
def test_references_that_leave_the_workspace(reference, outside):
    assert leaves_workspace(reference) is outside


def test_inside_follows_symlinks_before_it_says_yes(tmp_path):
    root = tmp_path / "ws"
    (root / "bilder").mkdir(parents=True)
    (root / "bilder" / "ut").symlink_to("/etc")
    assert inside(root, "bilder/ut/passwd") is None
    assert inside(root, "bilder/logga.png") == (root / "bilder" / "logga.png").resolve()
