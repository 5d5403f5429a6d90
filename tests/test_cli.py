"""The command line: exit statuses, bad input, discovery, rules and explain."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from dfslim.cli import main

BAD = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\nUSER app\n"
CLEAN = "FROM debian:bookworm-slim\nUSER app\n"


def run(*args, input=None):
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return result


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "Dockerfile").write_text(BAD)
    (tmp_path / "clean.Dockerfile").write_text(CLEAN)
    return tmp_path


def test_exit_status_follows_fail_level(tree):
    bad = str(tree / "bad" / "Dockerfile")
    assert run("lint", "--select", "DFS103", bad).exit_code == 1
    assert run("lint", "--select", "DFS103", "--fail-level", "error", bad).exit_code == 0
    assert run("lint", "--select", "DFS103", "--fail-level", "none", bad).exit_code == 0
    assert run("lint", "--select", "DFS103", str(tree / "clean.Dockerfile")).exit_code == 0


def test_text_output_names_place_rule_and_suggestion(tree):
    result = run("lint", "--select", "apt-lists-kept", "--no-color", str(tree / "bad" / "Dockerfile"))
    first = result.output.splitlines()[0]
    assert first.endswith("Dockerfile:2:1: warning DFS103 apt-lists-kept: apt package lists stay in the image (~20 MB)")
    assert "help: append `&& rm -rf /var/lib/apt/lists/*`" in result.output
    assert "\x1b[" not in result.output  # never coloured into a pipe
    assert result.output.splitlines()[-1].startswith("1 file linted, 1 finding (0 errors, 1 warning, 0 infos)")


def test_json_output_contract(tree):
    result = run("lint", "--select", "DFS103", "--format", "json", str(tree / "bad" / "Dockerfile"))
    document = json.loads(result.output)
    assert set(document) == {"tool", "files", "findings", "summary"}
    (finding,) = document["findings"]
    assert set(finding) >= {
        "rule", "name", "category", "severity", "path", "line", "column", "end_line",
        "end_column", "stage", "message", "suggestion", "fix", "savings_bytes",
    }
    assert (finding["line"], finding["column"], finding["end_line"]) == (2, 1, 2)
    assert finding["end_column"] == len("RUN apt-get update && apt-get install -y curl") + 1
    assert finding["stage"] == "0"
    edit = finding["fix"]["edits"][0]
    assert finding["fix"]["safe"] is True
    assert (edit["line"], edit["column"], edit["text"]) == (2, finding["end_column"], " && rm -rf /var/lib/apt/lists/*")
    assert document["summary"]["warnings"] == 1 and document["files"][0]["error"] is None


def test_folder_discovery_skips_git_and_virtualenvs(tree):
    (tree / ".git").mkdir()
    (tree / ".git" / "Dockerfile").write_text(BAD)
    (tree / "env").mkdir()
    (tree / "env" / "pyvenv.cfg").write_text("")
    (tree / "env" / "Dockerfile").write_text(BAD)
    (tree / "Containerfile.dev").write_text(CLEAN)
    (tree / "notes.txt").write_text("FROM x")
    document = json.loads(run("lint", "--format", "json", str(tree)).output)
    paths = [os.path.relpath(f["path"], tree) for f in document["files"]]
    assert paths == ["Containerfile.dev", os.path.join("bad", "Dockerfile"), "clean.Dockerfile"]


def test_stdin(tree):
    result = run("lint", "--select", "DFS103", "--format", "json", "-", input=BAD)
    document = json.loads(result.output)
    assert document["findings"][0]["path"] == "-"
    assert result.exit_code == 1


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.Dockerfile", b"", "empty file"),
        ("binary.Dockerfile", b"\x7fELF\x00\x00", "binary file"),
        ("latin1.Dockerfile", b"FROM x:1\nLABEL a=\xe9\n", ":2: not valid UTF-8"),
        ("heredoc.Dockerfile", b"FROM x:1\nRUN <<EOF\necho\n", ":2: unterminated heredoc <<EOF"),
        ("nofrom.Dockerfile", b"RUN echo hi\n", "no FROM instruction"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_others_still_linted(tree, name, content, message):
    path = tree / name
    path.write_bytes(content)
    result = CliRunner().invoke(main, ["lint", "--select", "DFS103", "--format", "json", str(path), str(tree / "bad" / "Dockerfile")])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    error = document["files"][0]["error"]
    assert message in error and str(path) in error and "\n" not in error
    assert document["files"][1]["findings"] == 1  # the other file is still linted
    assert "Traceback" not in result.output
    assert result.stderr.strip() == f"dfslim: error: {error}"


def test_missing_file_and_empty_folder(tree):
    (tree / "empty").mkdir()
    result = CliRunner().invoke(main, ["lint", str(tree / "missing"), str(tree / "empty")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"dfslim: error: {tree / 'missing'}: no such file or folder",
        f"dfslim: error: {tree / 'empty'}: no Dockerfile found in this folder",
    ]


def test_unknown_rule_is_a_usage_error(tree):
    result = CliRunner().invoke(main, ["lint", "--select", "DFS999", str(tree)])
    assert result.exit_code == 2
    assert "unknown rule 'DFS999'" in result.output


def test_rules_and_explain():
    listing = run("rules").output
    assert "DFS103  apt-lists-kept" in listing
    by_id = run("explain", "DFS103").output
    by_name = run("explain", "apt-lists-kept").output
    assert by_id == by_name
    assert by_id.startswith("DFS103 apt-lists-kept (size, warning, scope: final, fix: safe)")
    assert "## Why is this bad?" in by_id
    assert run("explain", "nope").exit_code == 2


def test_python_dash_m_and_no_color_env(tree):
    env = dict(os.environ, NO_COLOR="1")
    result = subprocess.run(
        [sys.executable, "-m", "dfslim", "lint", "--select", "DFS103", str(tree / "bad" / "Dockerfile")],
        capture_output=True, text=True, env=env,
    )
    assert result.returncode == 1
    assert "DFS103" in result.stdout and "\x1b[" not in result.stdout
