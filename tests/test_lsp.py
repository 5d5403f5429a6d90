"""The language server, driven over stdio by a real client (`tests/lsp_client.py`):
initialize, diagnostics, a quick fix, hover, fix all, configuration and build context,
shutdown. The pure parts (`dfslim.lsp.document`) are tested directly below."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("pygls", reason="the language server needs the `lsp` extra")

from lsp_client import LspClient  # noqa: E402

from dfslim.lsp.document import UTF8, UTF16, UTF32, Positions, changed_part, finding_span  # noqa: E402

DOCKERFILE = "FROM python:3.12-slim\nWORKDIR /app\nRUN pip install flask\nUSER app\n"


def apply(text: str, edits: list[dict]) -> str:
    """A client's application of LSP text edits (ASCII text: characters are offsets)."""
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def offset(position):
        return starts[position["line"]] + position["character"]

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        text = text[: offset(edit["range"]["start"])] + edit["newText"] + text[offset(edit["range"]["end"]) :]
    return text


@pytest.fixture
def project(tmp_path):
    (tmp_path / ".dfslim.toml").write_text('select = ["DFS105", "DFS201", "DFS210"]\n')
    return tmp_path


@pytest.fixture
def client(project):
    client = LspClient(cwd=project)
    client.initialize(project, {"debounce_ms": 20})
    yield client
    if client.process.poll() is None:
        client.process.kill()
        client.process.wait()


def open_document(client, path: Path, text: str, version: int = 1) -> list[dict]:
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": version, "text": text}})
    return client.diagnostics(uri, version)


def test_full_round_diagnostics_quick_fix_hover_and_shutdown(project, client):
    path = project / "Dockerfile"
    path.write_text(DOCKERFILE)
    uri = path.as_uri()
    diagnostics = open_document(client, path, DOCKERFILE)
    (pip,) = diagnostics  # the configuration beside the file selects the rules
    assert pip["code"] == "DFS105" and pip["source"] == "dfslim" and pip["severity"] == 2
    assert pip["range"] == {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": len("RUN pip install flask")}}
    assert pip["codeDescription"]["href"].endswith("/rules/dfs105_pip_cache_kept.py")
    assert pip["message"].startswith("pip keeps its download cache")

    actions = client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": pip["range"], "context": {"diagnostics": [pip]}})
    quick = [a for a in actions if a["title"].startswith("DFS105")]
    assert len(quick) == 1 and quick[0]["kind"] == "quickfix" and quick[0]["isPreferred"] is True
    assert quick[0]["diagnostics"][0]["code"] == "DFS105"
    fixed = apply(DOCKERFILE, quick[0]["edit"]["changes"][uri])
    assert fixed == DOCKERFILE.replace("pip install flask", "pip install --no-cache-dir flask")

    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 6}})
    explained = subprocess.run([sys.executable, "-m", "dfslim", "explain", "DFS105"], capture_output=True, text=True).stdout
    assert hover["contents"]["kind"] == "markdown"
    assert explained.strip() in hover["contents"]["value"]
    assert client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 2}}) is None

    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]})
    assert client.diagnostics(uri, 2) == []  # cleared once the fix is in
    assert client.close() == 0


def test_typing_is_linted_after_a_pause_and_incremental_changes_apply(project, client):
    path = project / "Dockerfile"
    uri = path.as_uri()
    assert [d["code"] for d in open_document(client, path, DOCKERFILE)] == ["DFS105"]
    # the flag typed in three quick changes: the lint of the last version clears the finding
    at = len("RUN pip install ")
    for version, piece in enumerate(("--no-", "cache-", "dir "), start=2):
        point = {"line": 2, "character": at}
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": {"start": point, "end": point}, "text": piece}]})
        at += len(piece)
    assert client.diagnostics(uri, 4) == []
    assert client.close() == 0


def test_fix_all_safe_and_unsafe_fixes_are_labelled(tmp_path):
    text = "FROM debian:12-slim\nRUN apt-get update && apt-get install curl\nUSER app\n"
    path = tmp_path / "app.Dockerfile"
    path.write_text(text)
    client = LspClient(cwd=tmp_path)
    try:
        client.initialize(tmp_path)
        diagnostics = open_document(client, path, text)
        assert {d["code"] for d in diagnostics} >= {"DFS103", "DFS104", "DFS301"}
        uri = path.as_uri()
        line = {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}}
        actions = client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": line, "context": {"diagnostics": diagnostics}})
        titles = {a["title"]: a for a in actions}
        unsafe = next(title for title in titles if title.startswith("DFS104"))
        assert unsafe.endswith("(unsafe: may change what the image does)") and titles[unsafe]["isPreferred"] is False
        assert "dfslim: fix all safe problems" in titles
        source = client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": line, "context": {"diagnostics": [], "only": ["source.fixAll"]}})
        assert [a["kind"] for a in source] == ["source.fixAll.dfslim"]
        fixed = apply(text, source[0]["edit"]["changes"][uri])
        cli = subprocess.run([sys.executable, "-m", "dfslim", "lint", "--fix", "--stdin-filename", str(path), "-"], input=text, capture_output=True, text=True, cwd=tmp_path)
        assert fixed == cli.stdout  # the same fixes as `dfslim fix`
        assert "--no-install-recommends" not in fixed  # an unsafe fix is never in "fix all safe"
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_a_changed_configuration_is_read_again(project):
    client = LspClient(cwd=project)
    try:
        capabilities = {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}}
        client.request("initialize", {"processId": None, "rootUri": project.as_uri(), "capabilities": capabilities})
        client.notify("initialized", {})
        registration = client.wait(lambda m: m.get("method") == "client/registerCapability")
        (watch,) = registration["params"]["registrations"]
        assert {w["globPattern"] for w in watch["registerOptions"]["watchers"]} == {"**/.dfslim.toml", "**/pyproject.toml"}
        path = project / "Dockerfile"
        assert [d["code"] for d in open_document(client, path, DOCKERFILE)] == ["DFS105"]
        (project / ".dfslim.toml").write_text('select = ["DFS201"]\n')
        client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": (project / ".dfslim.toml").as_uri(), "type": 2}]})
        assert client.diagnostics(path.as_uri()) == []  # DFS105 is no longer selected
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_build_context_and_problems(project, client):
    (project / "ignored").mkdir()
    (project / "ignored" / ".dockerignore").write_text(".git\n.env\n")
    copy_all = "FROM python:3.12-slim\nCOPY . /app\nUSER app\n"
    # the folder beside the document is its build context: no .dockerignore here...
    assert [d["code"] for d in open_document(client, project / "Dockerfile", copy_all)] == ["DFS210"]
    # ...one there
    assert open_document(client, project / "ignored" / "Dockerfile", copy_all) == []
    broken = open_document(client, project / "broken.Dockerfile", "FROM x:1\nRUN <<EOF\necho\n")
    assert len(broken) == 1 and broken[0]["severity"] == 1 and broken[0]["range"]["start"]["line"] == 1
    assert "unterminated heredoc" in broken[0]["message"]
    uri = (project / "Dockerfile").as_uri()
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri) == []
    assert client.close() == 0


def test_exit_without_shutdown_is_status_1(project):
    client = LspClient(cwd=project)
    client.initialize(project)
    client.notify("exit", None)
    assert client.process.wait(timeout=20) == 1


def test_lsp_without_the_extra_says_how_to_install_it():
    code = "import sys\nsys.modules['pygls'] = None\nfrom dfslim.console import run\nsys.argv = ['dfslim', 'lsp']\nrun()\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "pip install 'dfslim[lsp]'" in done.stderr and "Traceback" not in done.stderr


# --- dfslim.lsp.document -------------------------------------------------------------------


@pytest.mark.parametrize("encoding, column", [(UTF16, 11), (UTF32, 10), (UTF8, 13)])
def test_positions_count_in_the_clients_units(encoding, column):
    text = "FROM x\nLABEL a=\"😋\" b=1\n"
    positions = Positions(text, encoding)
    quote = text.index("\" b")
    assert positions.position(quote) == (1, column)
    assert positions.offset(1, column) == quote
    assert positions.offset(1, 999) == text.index("\n", quote) and positions.offset(9, 0) == len(text)


def test_finding_span_is_the_focus_when_findings_have_one():
    text = "FROM x:1\nRUN apt-get update \\\n    && apt-get install -y curl\n"
    positions = Positions(text)
    instruction = SimpleNamespace(line=2, column=1, end_line=3, end_column=31, focus=None)
    start, end = finding_span(instruction, positions)
    assert text[start:end] == "RUN apt-get update \\"  # no focus: the instruction's first line
    focused = SimpleNamespace(line=2, column=1, end_line=3, end_column=31, focus=SimpleNamespace(line=3, column=8, end_line=3, end_column=31))
    start, end = finding_span(focused, positions)
    assert text[start:end] == "apt-get install -y curl"
    as_dict = SimpleNamespace(line=2, column=1, end_line=3, end_column=31, focus={"line": 3, "column": 8, "end_line": 3, "end_column": 15})
    assert text[slice(*finding_span(as_dict, positions))] == "apt-get"


def test_finding_span_shifts_past_a_bom():
    text = "\ufeffFROM x:1\n"
    finding = SimpleNamespace(line=1, column=1, end_line=1, end_column=9)
    assert text[slice(*finding_span(finding, Positions(text), bom=1))] == "FROM x:1"


def test_changed_part_is_the_smallest_single_edit():
    assert changed_part("abc", "abc") is None
    assert changed_part("RUN a\n", "RUN a && b\n") == (5, 5, " && b")
    assert changed_part("aXb", "ab") == (1, 2, "")
    start, end, text = changed_part("aaa", "aaaa")
    assert "aaa"[:start] + text + "aaa"[end:] == "aaaa"
