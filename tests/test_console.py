"""The console entry point: exit statuses and complete output despite the skipped teardown."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dfslim.console import _exit_status

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "Dockerfile"


def _dfslim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dfslim", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (1, 1), (2, 2), (256 + 3, 3), (-1, 255), (True, 1)])
def test_exit_status_is_what_sys_exit_gives(code, status):
    assert _exit_status(code) == status


def test_a_message_exits_1_and_is_printed(capsys):
    assert _exit_status("dfslim: broken") == 1
    assert capsys.readouterr().err == "dfslim: broken\n"


def test_statuses_and_whole_report(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\nRUN pip install flask\n")
    (tmp_path / "clean.Dockerfile").write_text("FROM scratch\nCOPY app /app\n")
    found = _dfslim("lint", "--format", "json", "Dockerfile", cwd=tmp_path)
    assert found.returncode == 1, found.stderr
    report = json.loads(found.stdout)  # flushed in full before the process ended
    assert report["summary"]["findings"] >= 1
    assert _dfslim("lint", "--format", "json", "clean.Dockerfile", cwd=tmp_path).returncode == 0
    usage = _dfslim("lint", "--no-such-option", cwd=tmp_path)
    assert usage.returncode == 2 and "No such option" in usage.stderr


def test_a_big_report_into_a_closed_pipe_ends_quietly(tmp_path):
    for index in range(60):
        (tmp_path / f"{index}.Dockerfile").write_text(EXAMPLE.read_text())
    files = sorted(str(path) for path in tmp_path.glob("*.Dockerfile"))
    reader = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read(10)"], stdin=subprocess.PIPE)
    writer = subprocess.run([sys.executable, "-m", "dfslim", "lint", *files], stdout=reader.stdin, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    reader.stdin.close()
    reader.wait()
    assert "Traceback" not in writer.stderr
    assert writer.returncode in (0, 1)
