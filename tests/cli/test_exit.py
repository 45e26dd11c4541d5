"""How the `bokslut` process ends (bokslut.cli._leave): as `sys.exit` would, without the teardown."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(script: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    env.pop("PYTHONUNBUFFERED", None)  # stdout to a pipe is buffered, as for a user's `| less`
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)


def test_the_status_and_what_was_written_come_out():
    done = _run(
        "import atexit, sys\n"
        "from bokslut.cli import _leave\n"
        "atexit.register(lambda: print('städat', file=sys.stderr))\n"
        "print('rapporten', end='')\n"
        "_leave(3)\n"
    )
    assert (done.returncode, done.stdout, done.stderr) == (3, "rapporten", "städat\n")


def test_a_message_as_the_code_is_shown_with_status_1():
    done = _run("from bokslut.cli import _leave\n_leave('fel: något')\n")
    assert (done.returncode, done.stderr) == (1, "fel: något\n")


def test_a_thread_still_at_work_is_waited_for(tmp_path):
    marker = tmp_path / "skrivet"
    done = _run(
        "import threading, time\n"
        "from pathlib import Path\n"
        "from bokslut.cli import _leave\n"
        f"def work():\n    time.sleep(0.5)\n    Path({str(marker)!r}).write_text('klart')\n"
        "threading.Thread(target=work).start()\n"
        "_leave(0)\n"
    )
    assert done.returncode == 0, done.stderr
    assert marker.read_text() == "klart"
