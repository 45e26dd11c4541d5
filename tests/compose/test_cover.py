"""The title page from bokslut.toml: tagline, decision line and a logo from the workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from bokslut.compose.report import title_page
from bokslut.diagnostics import BokslutError
from bokslut.workspace.config import OrgTyp, load_config
from bokslut.workspace.layout import Layout
from bokslut.workspace.new import create_workspace

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'


def workspace(tmp_path: Path, titelsida: str) -> Layout:
    (tmp_path / "bokslut.toml").write_text(
        '[organisation]\nnamn = "Kommunalförbundet Lystkom"\ntyp = "kommunalforbund"\n\n'
        f"[rapport]\nar = 2023\n\n[titelsida]\n{titelsida}\n",
        encoding="utf-8",
    )
    return Layout(tmp_path)


def cover(layout: Layout):
    return title_page(load_config(layout.config), layout)


def test_decision_line_and_tagline_come_from_bokslut_toml(tmp_path: Path) -> None:
    layout = workspace(
        tmp_path, 'undertitel = "för Lekebergs kommun"\nbeslut = "Beslutad av direktionen 2024-03-01 § 2"'
    )
    tp = cover(layout)
    assert tp.tagline == "för Lekebergs kommun"
    assert tp.decision == "Beslutad av direktionen 2024-03-01 § 2"
    assert tp.logo is None


def test_a_logo_in_the_workspace_is_read_with_its_alt_text(tmp_path: Path) -> None:
    (tmp_path / "bilder").mkdir()
    (tmp_path / "bilder" / "logo.svg").write_bytes(SVG)
    tp = cover(workspace(tmp_path, 'logotyp = "bilder/logo.svg"'))
    assert tp.logo is not None and tp.logo.format == "svg" and tp.logo.data == SVG
    assert tp.logo.alt == "Kommunalförbundet Lystkoms logotyp"


@pytest.mark.parametrize(
    ("name", "files", "message"),
    [
        ("../logo.png", {}, "ligger utanför arbetsytan"),
        ("logo.png", {}, "finns inte i arbetsytan"),
        ("logo.gif", {"logo.gif": b"GIF89a"}, "ska vara en PNG-, JPEG- eller SVG-fil"),
        ("logo.png", {"logo.png": b"not a picture"}, "är ingen giltig PNG-bild"),
    ],
)
def test_a_logo_outside_the_workspace_missing_or_not_a_picture_is_refused(
    tmp_path: Path, name: str, files: dict[str, bytes], message: str
) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (tmp_path / "logo.png").write_bytes(PNG)  # beside the workspace, not in it
    for file, data in files.items():
        (root / file).write_bytes(data)
    with pytest.raises(BokslutError) as caught:
        cover(workspace(root, f'logotyp = "{name}"'))
    finding = caught.value.findings[0]
    assert message in finding.message and f"'{name}'" in finding.message
    assert finding.file == "bokslut.toml" and finding.where == "[titelsida] logotyp"
    assert finding.code.startswith("logotyp-")


def test_bokslut_new_shows_the_title_page_keys_as_commented_examples(tmp_path: Path) -> None:
    layout = create_workspace(tmp_path / "ws", "Sydnärkes IT-nämnd", OrgTyp.GEMENSAM_NAMND, 2020)
    text = layout.config.read_text(encoding="utf-8")
    assert "# [titelsida]" in text and '# beslut = "Beslutad av direktionen' in text
    # Uncommented, the example keys are a valid configuration.
    layout.config.write_text(
        text.replace("# [titelsida]", "[titelsida]")
        .replace("# undertitel", "undertitel")
        .replace("# beslut", "beslut"),
        encoding="utf-8",
    )
    assert load_config(layout.config).titelsida.undertitel == "för Exempels kommun"
