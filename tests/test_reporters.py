"""The CI formats (github, gitlab, checkstyle, sarif) on a fixed set of findings.

Snapshots live in `tests/fixtures/reporters/<format>.expected`; regenerate them after an
intended change with `DFSLIM_UPDATE_SNAPSHOTS=1 pytest tests/test_reporters.py` and review
the diff. The SARIF output is also validated against the official SARIF 2.1.0 schema.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from click.testing import CliRunner

from conftest import FIXTURES
from dfslim.api import Edit, Fix, Meta, Severity
from dfslim.linter import Finding, PositionedEdit
from dfslim.registry import Rule
from dfslim.reporters import FORMATS, FileResult, Run, fingerprints, format_for_file, render, resolve_format

SNAPSHOTS = FIXTURES / "reporters"
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
UPDATE = os.environ.get("DFSLIM_UPDATE_SNAPSHOTS") == "1"
CI_FORMATS = ("github", "gitlab", "checkstyle", "sarif")


@pytest.fixture(autouse=True)
def no_github_actions(monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


# --- the fixed set -----------------------------------------------------------------------

DOC = """{summary}

## What it does
{what}
It spans two lines.

## Why is this bad?
Because.

## Example
    RUN something

## Use instead
    RUN something-else
"""


def fake_rule(rule_id, name, category, severity, fix=None, enabled=True, summary="", what=""):
    meta = Meta(id=rule_id, name=name, category=category, severity=severity, fix=fix, enabled=enabled)
    return Rule(meta, lambda dockerfile: (), DOC.format(summary=summary, what=what), f"tests.{rule_id}")


RULES = (
    fake_rule("TST101", "lists-kept", "size", Severity.WARNING, "safe", summary="Package lists are left in the image.", what="Flags a `RUN` that keeps `/var/lib/apt/lists`."),
    fake_rule("TST201", "secret-kept", "security", Severity.ERROR, summary="A secret is baked into the image.", what="Flags `ENV` and `ARG` values that look like credentials."),
    fake_rule("TST301", "big-base", "correctness", Severity.INFO, "unsafe", enabled=False, summary="A <large> & \"full\" base image.", what="Flags `FROM` of a full image."),
)
RULE = {rule.id: rule for rule in RULES}
CLEANUP = " && rm -rf /var/lib/apt/lists/*"


def finding(rule_id, path, line, column, end_line, end_column, message, suggestion, *, severity=None, fix=None, edits=(), savings=None, stage="0", text=""):
    meta = RULE[rule_id].meta
    return Finding(
        rule=rule_id, name=meta.name, category=meta.category, severity=severity or meta.severity,
        path=path, line=line, column=column, end_line=end_line, end_column=end_column, stage=stage,
        message=message, suggestion=suggestion, fix=fix, edits=tuple(edits), savings_bytes=savings,
        excerpt=text.split("\n")[0], fingerprint_text=text,
    )


def insertion(line, column, text, offset=0):
    return PositionedEdit(Edit(offset, offset, text), line, column, line, column)


def fixed_run() -> Run:
    api = "docker/api.Dockerfile"
    install = "RUN apt-get update && apt-get install -y curl"
    append = Fix("Append `&& rm -rf /var/lib/apt/lists/*` to this RUN", (Edit(120, 120, CLEANUP),))
    slim = Fix("Use `python:3.12-slim`", (Edit(5, 16, "python:3.12-slim"),), safe=False)
    return Run([
        FileResult("Dockerfile", [
            finding("TST301", "Dockerfile", 1, 1, 1, 17, "`python:3.12` is the full image", "`FROM python:3.12-slim`",
                    fix=slim, edits=[PositionedEdit(slim.edits[0], 1, 6, 1, 17)], savings=991_000_000, text="FROM python:3.12"),
            finding("TST101", "Dockerfile", 4, 1, 4, 46, "apt package lists stay in the image", f"append `{CLEANUP.strip()}` to this RUN",
                    fix=append, edits=[insertion(4, 46, CLEANUP)], text=install),
            finding("TST101", "Dockerfile", 7, 1, 7, 46, "apt package lists stay in the image", f"append `{CLEANUP.strip()}` to this RUN",
                    fix=append, edits=[insertion(7, 46, CLEANUP)], text=install, stage="runtime"),
        ]),
        FileResult(api, [
            finding("TST101", api, 3, 1, 5, 32, "apt package lists stay in the image", f"append `{CLEANUP.strip()}` to this RUN",
                    fix=append, edits=[insertion(5, 32, CLEANUP)], savings=31_457_280,
                    text="RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates"),
            finding("TST201", api, 8, 1, 8, 30, 'secret "AWS_KEY" set by ENV: 100% visible, <forever> & to all',
                    "pass it at build time: `RUN --mount=type=secret,id=aws ...`", text="ENV AWS_KEY=AKIA****"),
        ]),
        FileResult("dir with space/Dockerfile", [
            finding("TST101", "dir with space/Dockerfile", 2, 1, 2, 46, "apt package lists stay in the image", "append it",
                    severity=Severity.INFO, text=install),
        ]),
        FileResult("broken/Dockerfile", error="broken/Dockerfile:3: unterminated heredoc <<EOF"),
        FileResult("missing", error="missing: no such file or folder"),
    ])


@pytest.fixture
def catalog(monkeypatch):
    """The SARIF driver lists the catalog: pin it to the fake rules and the version."""
    import dfslim.registry
    import dfslim.reporters.sarif as sarif

    monkeypatch.setattr(dfslim.registry, "all_rules", lambda: RULES)
    monkeypatch.setattr(sarif, "__version__", "0.0.0-test")


# --- snapshots ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", CI_FORMATS)
def test_snapshot(name, catalog):
    suffix = {"gitlab": "json", "sarif": "sarif", "checkstyle": "xml", "github": "txt"}[name]
    path = SNAPSHOTS / f"{name}.{suffix}.expected"
    output = render(name, fixed_run())
    if UPDATE:
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        path.write_text(output, encoding="utf-8", newline="")
    assert path.exists(), f"no snapshot {path}: run with DFSLIM_UPDATE_SNAPSHOTS=1"
    assert output == path.read_text(encoding="utf-8"), f"{name} output changed: review, then DFSLIM_UPDATE_SNAPSHOTS=1"


def test_every_format_is_a_cli_choice():
    from dfslim.cli import FORMAT_NAMES

    assert set(FORMAT_NAMES) == {"auto", *FORMATS}


# --- github ------------------------------------------------------------------------------


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """Read a workflow command back the way the runner does."""

    def unescape(text: str, prop: bool) -> str:
        pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else [])
        for code, char in pairs:
            text = text.replace(code, char)
        return text.replace("%25", "%")

    assert line.startswith("::")
    head, _, message = line[2:].partition("::")
    name, _, props = head.partition(" ")
    properties = {}
    for pair in filter(None, props.split(",")):
        key, _, value = pair.partition("=")
        properties[key] = unescape(value, True)
    return name, properties, unescape(message, False)


def test_github_escaping_round_trips():
    from dfslim.reporters.github import command, escape_data, escape_property

    assert escape_data("100%\r\nnext: a, b") == "100%25%0D%0Anext: a, b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    tricky = {"file": "odd,dir:x/50%/Dockerfile", "line": 3, "title": "T1 a:b, c"}
    line = command("warning", tricky, "first: 1, 2\r\nsecond %0A literal")
    assert "\n" not in line and "\r" not in line
    assert parse_command(line) == ("warning", {k: str(v) for k, v in tricky.items()}, "first: 1, 2\r\nsecond %0A literal")


def test_github_one_command_per_finding_levels_and_columns():
    lines = render("github", fixed_run()).splitlines()
    commands = [parse_command(line) for line in lines if line.startswith("::")]
    assert [name for name, _, _ in commands] == ["error", "error", "notice", "warning", "warning", "notice", "warning", "error"]
    errors = {props["file"]: (props.get("line"), message) for name, props, message in commands[:2]}
    assert errors == {"broken/Dockerfile": ("3", "unterminated heredoc <<EOF"), "missing": (None, "no such file or folder")}
    multi = next(props for _, props, _ in commands if props.get("file") == "docker/api.Dockerfile" and props["line"] == "3")
    assert (multi["endLine"], "col" in multi, "endColumn" in multi) == ("5", False, False)  # columns only on one line
    name, props, message = next(c for c in commands if c[1].get("title") == "TST201 secret-kept")
    assert props == {"file": "docker/api.Dockerfile", "line": "8", "endLine": "8", "col": "1", "endColumn": "30", "title": "TST201 secret-kept"}
    assert message == 'secret "AWS_KEY" set by ENV: 100% visible, <forever> & to all\nhelp: pass it at build time: `RUN --mount=type=secret,id=aws ...`'
    assert lines[-1].startswith("3 files linted, 6 findings")  # a plain summary line closes the log; the 2 that could not be are not counted


# --- gitlab ------------------------------------------------------------------------------


def test_gitlab_required_keys_and_severities():
    issues = json.loads(render("gitlab", fixed_run()))
    assert isinstance(issues, list) and len(issues) == 8
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert isinstance(issue["location"]["path"], str) and issue["location"]["lines"]["begin"] >= 1
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    by_rule = {(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]): i for i in issues}
    assert by_rule[("TST301", "Dockerfile", 1)]["severity"] == "info"
    assert by_rule[("TST101", "Dockerfile", 4)]["severity"] == "major"
    assert by_rule[("TST201", "docker/api.Dockerfile", 8)]["severity"] == "critical"
    assert by_rule[("TST101", "docker/api.Dockerfile", 3)]["location"]["lines"] == {"begin": 3, "end": 5}
    assert by_rule[("dfslim-error", "broken/Dockerfile", 3)]["severity"] == "critical"


def gitlab_of(text: str) -> list[dict]:
    from dfslim.config import Settings
    from dfslim.linter import lint
    from dfslim.parser import parse

    findings = lint(parse(text, "Dockerfile"), Settings(select=("DFS103",)).rules())
    return json.loads(render("gitlab", Run([FileResult("Dockerfile", findings)])))


def test_gitlab_fingerprint_survives_lines_added_above():
    install = "RUN apt-get update \\\n    && apt-get install -y curl\n"
    before = gitlab_of("FROM debian:12\n" + install + "RUN apt-get update && apt-get install -y git\n")
    after = gitlab_of("# build me\nFROM debian:12\nENV A=1\n\n" + install.replace("    &&", "  &&") + "LABEL x=y\nRUN apt-get update && apt-get install -y git\n")
    assert [i["location"]["lines"]["begin"] for i in before] == [2, 4]
    assert [i["location"]["lines"]["begin"] for i in after] == [5, 8]
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]


def test_gitlab_identical_instructions_get_distinct_stable_fingerprints():
    run = "RUN apt-get update && apt-get install -y curl\n"
    two = gitlab_of("FROM debian:12\n" + run + run)
    assert len({i["fingerprint"] for i in two}) == 2
    moved = gitlab_of("FROM debian:12\nUSER root\n" + run + "WORKDIR /x\n" + run)
    assert [i["fingerprint"] for i in two] == [i["fingerprint"] for i in moved]
    changed = gitlab_of("FROM debian:12\n" + run + run.replace("curl", "wget"))
    assert changed[0]["fingerprint"] == two[0]["fingerprint"] and changed[1]["fingerprint"] != two[1]["fingerprint"]


def test_fingerprints_never_hash_the_line_number():
    base = fixed_run().findings

    shifted = [f._replace(line=f.line + 10, end_line=f.end_line + 10) for f in base]
    assert fingerprints(base) == fingerprints(shifted)


# --- checkstyle --------------------------------------------------------------------------


def test_checkstyle_is_well_formed_and_round_trips_attributes():
    run = fixed_run()
    weird = 'ctl\x01 <a href="x">&amp;</a> \'q\'\nnext'
    run.files[0].findings.append(finding("TST201", "Dockerfile", 9, 1, 9, 5, weird, "s"))
    root = ET.fromstring(render("checkstyle", run).encode("utf-8"))
    assert root.tag == "checkstyle"
    files = root.findall("file")
    assert [f.get("name") for f in files] == ["Dockerfile", "docker/api.Dockerfile", "dir with space/Dockerfile", "broken/Dockerfile", "missing"]
    errors = files[0].findall("error")
    assert [(e.get("line"), e.get("column"), e.get("severity"), e.get("source")) for e in errors] == [
        ("1", "1", "info", "dfslim.TST301"), ("4", "1", "warning", "dfslim.TST101"),
        ("7", "1", "warning", "dfslim.TST101"), ("9", "1", "error", "dfslim.TST201"),
    ]
    assert errors[-1].get("message") == "TST201 secret-kept: " + weird.replace("\x01", "\ufffd") + ". help: s"
    (broken,) = files[3].findall("error")
    assert (broken.get("line"), broken.get("severity"), broken.get("source")) == ("3", "error", "dfslim.error")


# --- sarif -------------------------------------------------------------------------------


def validate_sarif(document: dict) -> None:
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    problems = sorted(validator.iter_errors(document), key=lambda error: list(error.path))
    assert not problems, "\n".join(f"{list(error.path)}: {error.message}" for error in problems[:10])


def test_sarif_schema_is_the_official_draft4_one():
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert SCHEMA["id"].endswith("/sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft4Validator(SCHEMA)
    assert not validator.is_valid({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})  # driver needs a name


def test_sarif_fixed_set_validates_and_says_what_we_mean(catalog):
    document = json.loads(render("sarif", fixed_run()))
    validate_sarif(document)
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("dfslim", "0.0.0-test")
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == ["TST101", "TST201", "TST301"]
    assert rules[0]["shortDescription"]["text"] == "Package lists are left in the image."
    assert rules[0]["fullDescription"]["text"] == "Flags a `RUN` that keeps `/var/lib/apt/lists`. It spans two lines."
    assert rules[0]["help"]["markdown"].startswith("Package lists are left in the image.\n\n## What it does\n")
    assert rules[1]["defaultConfiguration"] == {"level": "error"} and rules[1]["properties"]["tags"] == ["security"]
    assert rules[2]["defaultConfiguration"] == {"level": "note", "enabled": False}
    results = run["results"]
    assert len(results) == 6
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    first = results[0]
    assert (first["ruleId"], first["level"]) == ("TST301", "note")
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 17}
    (fix,) = first["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["replacements"] == [{"deletedRegion": {"startLine": 1, "startColumn": 6, "endLine": 1, "endColumn": 17}, "insertedContent": {"text": "python:3.12-slim"}}]
    assert fix["properties"] == {"safe": False}
    spaced = next(r for r in results if "space" in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
    assert spaced["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dir%20with%20space/Dockerfile"
    assert "fixes" not in spaced
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == ["broken/Dockerfile", "missing"]
    assert notes[0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}


def test_sarif_of_a_real_run_validates(tmp_path):
    from dfslim.cli import main

    (tmp_path / "Dockerfile").write_text("FROM debian:12\nRUN apt-get update \\\n  && apt-get install -y curl\n")
    (tmp_path / "broken.Dockerfile").write_text("FROM debian:12\nRUN <<EOF\necho\n")
    result = CliRunner().invoke(main, ["lint", "--select", "DFS103", "--format", "sarif", str(tmp_path / "Dockerfile"), str(tmp_path / "broken.Dockerfile"), "-"], input="FROM x:1\nRUN apt-get update && apt-get install -y y\n")
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    validate_sarif(document)
    results = document["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["DFS103", "DFS103"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in results]
    assert uris[0] == {"uri": "stdin"}  # `-` sorts first
    assert uris[1]["uri"].startswith("file:///") or uris[1].get("uriBaseId") == "%SRCROOT%"
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert {"DFS103"} <= {rule["id"] for rule in rules}
    assert results[1]["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"] == {"startLine": 3, "startColumn": 29, "endLine": 3, "endColumn": 29}


def test_relative_paths_inside_the_current_folder(tmp_path, monkeypatch):
    from dfslim.reporters import report_path

    monkeypatch.chdir(tmp_path)
    assert report_path(str(tmp_path / "a" / "Dockerfile")) == "a/Dockerfile"
    assert report_path("./a/../b/Dockerfile") == "b/Dockerfile"
    assert report_path("-") == "-"


# --- choosing the format, --output -------------------------------------------------------


def test_auto_format():
    assert resolve_format("auto", {}) == "text"
    assert resolve_format("auto", {"GITHUB_ACTIONS": "true"}) == "github"
    assert resolve_format("auto", {"GITHUB_ACTIONS": "false"}) == "text"
    assert resolve_format("sarif", {"GITHUB_ACTIONS": "true"}) == "sarif"
    assert [format_for_file("auto", name) for name in ("r.sarif", "r.SARIF.json", "r.json", "r.xml")] == ["sarif", "sarif", "json", "checkstyle"]
    assert format_for_file("gitlab", "gl-code-quality-report.json") == "gitlab"
    with pytest.raises(ValueError, match="add --format"):
        format_for_file("auto", "report.txt")


BAD = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / ".dfslim.toml").write_text('select = ["DFS103"]\n')
    (tmp_path / "Dockerfile").write_text(BAD)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint(*args, env=None):
    from dfslim.cli import main

    return CliRunner().invoke(main, ["lint", *args], env=env, catch_exceptions=False)


def test_default_is_text_or_github_annotations(project):
    assert lint("Dockerfile").stdout.startswith("Dockerfile:2:1: warning DFS103 apt-lists-kept")
    annotated = lint("Dockerfile", env={"GITHUB_ACTIONS": "true"})
    assert annotated.exit_code == 1
    assert annotated.stdout.startswith("::warning file=Dockerfile,line=2,endLine=2,col=1,endColumn=46,title=DFS103 apt-lists-kept::")


def test_output_writes_the_report_and_shows_text(project):
    result = lint("--format", "sarif", "--output", "out/report.sarif", "Dockerfile", env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 2 and "cannot write out/report.sarif" in result.stderr  # no such folder
    (project / "out").mkdir()
    result = lint("--format", "sarif", "--output", "out/report.sarif", "Dockerfile", env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 1
    assert result.stdout.startswith("Dockerfile:2:1: warning DFS103")  # text, even under Actions
    validate_sarif(json.loads((project / "out" / "report.sarif").read_text()))
    assert sorted(os.listdir(project / "out")) == ["report.sarif"]  # no temporary left behind
    assert (project / "out" / "report.sarif").stat().st_mode & 0o777 == 0o666 & ~_umask()


def test_output_auto_picks_the_format_from_the_extension(project):
    lint("-o", "r.json", "Dockerfile")
    assert json.loads((project / "r.json").read_text())["findings"][0]["rule"] == "DFS103"
    lint("-o", "r.xml", "Dockerfile")
    assert ET.parse(project / "r.xml").getroot().tag == "checkstyle"
    lint("--format", "gitlab", "-o", "r.json", "Dockerfile")  # replaces the file
    assert json.loads((project / "r.json").read_text())[0]["check_name"] == "DFS103"
    refused = lint("-o", "r.txt", "Dockerfile")
    assert refused.exit_code == 2 and "add --format" in refused.output and not (project / "r.txt").exists()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_reporters_are_imported_only_when_used(project):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from dfslim.cli import main\n"
        "try:\n    main(['lint', '--select', 'DFS103', 'Dockerfile'])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('dfslim.reporters.') or m in ('tomllib', 'xml.etree.ElementTree')))\n"
    )
    (project / ".dfslim.toml").unlink()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project, env={k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}).stdout
    assert out.splitlines()[-1] == "['dfslim.reporters.text']"


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=4), _json_values, max_size=4))
def test_json_report_text_is_json_dumps_with_indent_2(document):
    from dfslim.reporters.json import dumps_indented

    assert dumps_indented(document) == json.dumps(document, indent=2, ensure_ascii=False)
