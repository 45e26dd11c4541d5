"""The import benchmarks' own measuring: the figures in docs/scale.md and the issue notes come
from these helpers, so a helper that measures the wrong thing gives wrong figures."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))

from bench_import_memory import repeated
from bench_import_shapes import timed_rss

_HOLD = """
import sys
held = bytearray(int(sys.argv[1]) << 20)
held[::4096] = b"x" * len(held[::4096])
"""


def test_a_commands_peak_is_its_own_not_the_benchmarks():
    held = bytearray(400 << 20)  # the benchmark itself at 400 MiB, as after reading a file whole
    held[::4096] = b"x" * len(held[::4096])

    _, small, _ = timed_rss([sys.executable, "-c", "print('hej')"])
    seconds, large, out = timed_rss([sys.executable, "-c", _HOLD, "200"])

    del held
    assert small < 100 << 20
    assert 200 << 20 < large < 300 << 20
    assert seconds > 0 and out == ""


def test_a_failing_command_is_reported_with_its_message():
    try:
        timed_rss([sys.executable, "-c", "import sys; sys.exit('gick sönder')"])
    except RuntimeError as e:
        assert "gick sönder" in str(e)
    else:
        raise AssertionError("no error for a failing command")


def test_repeated_vouchers_get_series_of_their_own_quoted_or_not(tmp_path: Path):
    base = tmp_path / "bas.se"
    base.write_bytes(
        b"#FLAGGA 0\n#SIETYP 4\n"
        b'#VER "A" "1" 20230101 "Hyra"\n{\n#TRANS 1930 {} -5\n#TRANS 5010 {} 5\n}\n'
        b'#VER B 1 20230102 "#VER A i texten"\n{\n#TRANS 1930 {} -7\n#TRANS 5010 {} 7\n}\n'
    )

    text = repeated(base, 3).read_text()

    assert text.startswith("#FLAGGA 0\n#SIETYP 4\n#VER")
    assert re.findall(r'^#VER "?(\w+)"? (\S+)', text, re.MULTILINE) == [
        ("A0", '"1"'),
        ("B0", "1"),
        ("A1", '"1"'),
        ("B1", "1"),
        ("A2", '"1"'),
        ("B2", "1"),
    ]
    assert text.count('"#VER A i texten"') == 3
    assert text.count("#TRANS") == 12
