"""What users of ruff and hadolint expect of the command line, and what a folder search
picks: other linters' rule ids, --extend-select, --stdin-filename, -q, --statistics,
--color, -V, `rules --format json`, -o by the conventional name, the summary's counts,
non-Dockerfiles and .gitignore in folder searches."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from dfslim.cli import main, use_color
from dfslim.discovery import GitignoreReader, discover, search
from dfslim.registry import other_codes, resolve

BAD = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\nUSER app\n"
CLEAN = "FROM debian:bookworm-slim\nUSER app\n"
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def run(*args, input=None, env=None):
    return CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)


def git(*args, cwd):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args], cwd=cwd, check=True, capture_output=True)


def codes(result) -> list[str]:
    return [finding["rule"] for finding in json.loads(result.stdout)["findings"]]


# --- other linters' rule ids ---------------------------------------------------------------


@pytest.mark.parametrize(
    "other, expected",
    [
        ("hadolint DL3009", ["DL3009"]),
        ("hadolint DL3032/DL3040/DL3036", ["DL3032", "DL3040", "DL3036"]),
        ("hadolint DL3008/3013/3016", ["DL3008", "DL3013", "DL3016"]),
        ("trivy DS-0015/0019/0020", ["DS-0015", "DS-0019", "DS-0020"]),
        ("checkov CKV_DOCKER_3/8", ["CKV_DOCKER_3", "CKV_DOCKER_8"]),
        ("checkov CKV2_DOCKER_2..4", ["CKV2_DOCKER_2", "CKV2_DOCKER_3", "CKV2_DOCKER_4"]),
        ("trivy DS-0031 (files)", ["DS-0031"]),
        ("BuildKit SecretsUsedInArgOrEnv", ["SecretsUsedInArgOrEnv"]),
        ("Binnacle gold rules", []),
    ],
)
def test_other_codes_spell_out_the_catalogs_shorthands(other, expected):
    assert other_codes(other) == expected


def test_other_ids_name_the_same_rules():
    assert [rule.id for rule in resolve("DL3009")] == ["DFS103"]
    assert [rule.id for rule in resolve("dl3013")] == ["DFS306"]
    assert [rule.id for rule in resolve("DS-0031")] == ["DFS204", "DFS210"]  # one code, two rules
    assert {rule.id for rule in resolve("DL3014")} == {rule.id for rule in resolve("DL3038")} == {"DFS301"}  # several codes, one rule
    with pytest.raises(KeyError):
        resolve("DL9999")


def test_other_ids_on_the_command_line_in_the_configuration_and_in_explain(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(BAD)
    assert "DFS103" not in codes(run("lint", "--format", "json", "--ignore", "DL3009", str(path)))
    assert codes(run("lint", "--format", "json", "--select", "DL3009", str(path))) == ["DFS103"]
    (tmp_path / ".dfslim.toml").write_text('select = ["DL3009", "DL3015"]\n[severity]\nDL3015 = "info"\n')
    found = json.loads(run("lint", "--format", "json", str(path)).stdout)["findings"]
    assert [(f["rule"], f["severity"]) for f in found] == [("DFS103", "warning"), ("DFS104", "info")]
    explained = run("explain", "DL3009")
    assert explained.exit_code == 0
    assert explained.output.startswith("DL3009 is DFS103 apt-lists-kept in dfslim.\n\nDFS103 apt-lists-kept (size, warning")
    both = run("explain", "ds-0031").output
    assert "DFS204 secret-in-image (security" in both and "DFS210 sensitive-file-copied (security" in both
    assert run("explain", "DL9999").exit_code == 2


# --- selection, output and colour ----------------------------------------------------------


def test_extend_select_adds_to_the_configurations_selection(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(BAD)
    (tmp_path / ".dfslim.toml").write_text('select = ["DFS103"]\nignore = ["DFS104"]\n')
    assert codes(run("lint", "--format", "json", str(path))) == ["DFS103"]
    assert codes(run("lint", "--format", "json", "--extend-select", "DFS104,DFS306", str(path))) == ["DFS103", "DFS104", "DFS306"]
    assert codes(run("lint", "--format", "json", "--extend-select", "DFS104", "--ignore", "DFS104", str(path))) == ["DFS103"]
    (tmp_path / ".dfslim.toml").unlink()
    default = codes(run("lint", "--format", "json", str(path)))
    assert "DFS306" not in default  # off by default...
    assert sorted(codes(run("lint", "--format", "json", "--extend-select", "DFS306", str(path)))) == sorted(default + ["DFS306"])
    assert run("lint", "--extend-select", "DFS999", str(path)).exit_code == 2


def test_quiet_prints_the_findings_only(tmp_path):
    (tmp_path / "Dockerfile").write_text(BAD)
    (tmp_path / "clean.Dockerfile").write_text(CLEAN)
    (tmp_path / "notes.Dockerfile").write_text("# just notes\n")
    loud = run("lint", "--select", "DFS103", str(tmp_path))
    quiet = run("lint", "--select", "DFS103", "-q", str(tmp_path))
    assert "files linted" in loud.stdout and "skipped" in loud.stderr
    assert quiet.exit_code == 1 and "linted" not in quiet.stdout and quiet.stderr == ""
    assert quiet.stdout.startswith(f"{tmp_path / 'Dockerfile'}:2:1: warning DFS103")
    assert run("lint", "-q", str(tmp_path / "clean.Dockerfile")).stdout == ""


def test_statistics_count_fixable_and_saving_most_frequent_first(tmp_path):
    from dfslim.units import megabytes

    (tmp_path / "a.Dockerfile").write_text(BAD)
    (tmp_path / "b.Dockerfile").write_text(BAD + "RUN apt-get update && apt-get install -y git\n")
    (tmp_path / "c.Dockerfile").write_text("FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends vim\nUSER app\n")
    selection = ("--select", "DFS103,DFS104,DFS201", str(tmp_path))
    result = run("lint", "--statistics", *selection)
    table = result.stdout.split("Statistics (count, rule, fixable, estimated saving):\n", 1)[1].splitlines()
    findings = json.loads(run("lint", "--format", "json", *selection).stdout)["findings"]
    expected = []
    for rule in ("DFS103", "DFS104"):  # 4 and 3 findings: the more frequent first
        mine = [f for f in findings if f["rule"] == rule]
        saving = megabytes(sum(f["savings_bytes"] or 0 for f in mine))
        expected.append([str(len(mine)), rule, mine[0]["name"], str(sum(1 for f in mine if f["fix"])), "fixable", *saving.split()])
    assert [int(row[0]) for row in expected] == [4, 3]
    assert [line.split() for line in table] == expected
    as_json = run("lint", "--statistics", "--format", "json", *selection)
    json.loads(as_json.stdout)  # the report stays valid JSON: the table goes to standard error
    assert "DFS103" in as_json.stderr


@pytest.mark.parametrize(
    "choice, terminal, environ, expected",
    [
        ("auto", True, {}, True), ("auto", False, {}, False),
        ("auto", True, {"NO_COLOR": "1"}, False), ("auto", False, {"FORCE_COLOR": "1"}, True),
        ("auto", False, {"FORCE_COLOR": ""}, False), ("auto", True, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        ("always", False, {"NO_COLOR": "1"}, True), ("never", True, {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_choice(choice, terminal, environ, expected):
    assert use_color(choice, terminal, environ) is expected


def test_colour_on_the_command_line(tmp_path):
    path = str(tmp_path / "Dockerfile")
    Path(path).write_text(BAD)
    assert "\x1b[" in run("lint", "--color", "always", path).stdout
    assert "\x1b[" in run("lint", path, env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" not in run("lint", "--color", "always", "--no-color", path).stdout
    assert "\x1b[" not in run("lint", "--color", "never", path, env={"FORCE_COLOR": "1"}).stdout


def test_short_version_and_rules_as_json():
    assert run("-V").output == run("--version").output
    assert run("-V").output.startswith("dfslim, version ")
    rules = json.loads(run("rules", "--format", "json").output)
    by_id = {rule["id"]: rule for rule in rules}
    assert by_id["DFS103"]["name"] == "apt-lists-kept" and by_id["DFS103"]["fix"] == "safe"
    assert by_id["DFS103"]["other_codes"] == ["DL3009"] and by_id["DFS306"]["enabled"] is False
    assert by_id["DFS103"]["url"].endswith("/rules/dfs103_apt_lists_kept.py")
    assert set(by_id["DFS101"]) == {"id", "name", "category", "severity", "scope", "fix", "enabled", "summary", "others", "other_codes", "url"}


def test_output_file_named_for_gitlab_is_gitlabs_format(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(BAD)
    result = run("lint", "--select", "DFS103", "-o", "gl-code-quality-report.json", "Dockerfile")
    assert json.loads((tmp_path / "gl-code-quality-report.json").read_text())[0]["check_name"] == "DFS103"
    assert result.stderr == "dfslim: wrote the gitlab report to gl-code-quality-report.json\n"
    run("lint", "--select", "DFS103", "-o", "report.json", "Dockerfile")
    assert "findings" in json.loads((tmp_path / "report.json").read_text())
    assert run("lint", "-q", "-o", "r.sarif", "Dockerfile").stderr == ""


def test_summary_counts_only_the_files_that_were_linted(tmp_path):
    (tmp_path / "a.Dockerfile").write_text(BAD)
    (tmp_path / "b.Dockerfile").write_bytes(b"FROM x:1\nRUN <<EOF\n")
    result = run("lint", "--select", "DFS103", str(tmp_path / "a.Dockerfile"), str(tmp_path / "b.Dockerfile"), str(tmp_path / "c.Dockerfile"))
    assert result.exit_code == 2
    assert result.stdout.splitlines()[-1].startswith("1 file linted, 1 finding (0 errors, 1 warning, 0 infos), 2 files could not be linted")


def test_sarif_rules_link_to_their_documentation(tmp_path):
    (tmp_path / "Dockerfile").write_text(BAD)
    document = json.loads(run("lint", "--format", "sarif", str(tmp_path / "Dockerfile")).stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert all(rule["helpUri"].startswith("https://") for rule in rules)
    assert len({rule["helpUri"] for rule in rules}) == len(rules)


# --- standard input with a name --------------------------------------------------------------


def test_stdin_filename_gives_the_path_its_configuration_and_context(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.dfslim]\nselect = ["DFS103", "DFS210"]\n[tool.dfslim.per-file-ignores]\n"legacy/*" = ["DFS103"]\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "legacy").mkdir()
    (tmp_path / "app" / ".dockerignore").write_text(".git\n.env\n")
    text = BAD + "COPY . /app\n"
    named = run("lint", "--format", "json", "--stdin-filename", "app/Dockerfile", "-", input=text)
    document = json.loads(named.stdout)
    assert [(f["rule"], f["path"]) for f in document["findings"]] == [("DFS103", "app/Dockerfile")]  # the context has a .dockerignore
    legacy = json.loads(run("lint", "--format", "json", "--stdin-filename", "legacy/Dockerfile", "-", input=text).stdout)
    assert [f["rule"] for f in legacy["findings"]] == ["DFS210"]  # per-file-ignores; no .dockerignore there
    fixed = run("lint", "--fix", "--stdin-filename", "app/Dockerfile", "-", input=BAD)
    assert fixed.stdout == BAD.replace("curl\n", "curl && rm -rf /var/lib/apt/lists/*\n")
    assert "app/Dockerfile" not in fixed.stdout and "1 file linted" in fixed.stderr


# --- folder searches ---------------------------------------------------------------------------


@pytest.fixture
def repository(tmp_path):
    """A project as found in the wild: BuildKit ignore files, docs, ignored build output."""
    root = tmp_path / "project"
    (root / "docs").mkdir(parents=True)
    (root / "build").mkdir()
    (root / "services" / "api").mkdir(parents=True)
    (root / "Dockerfile").write_text(CLEAN)
    (root / "Dockerfile.dockerignore").write_text("*\n!app\n")
    (root / "docs" / "Dockerfile.md").write_text("# How we build\n\nFROM is where it starts.\n")
    (root / "docs" / "Dockerfile.example").write_text("Write the Dockerfile here.\n")  # named like one, is not
    (root / "build" / "Dockerfile").write_text(BAD)  # generated, ignored by git
    (root / "services" / "api" / "app.Containerfile").write_text(BAD)
    (root / ".gitignore").write_text("build/\n")
    return root


def test_a_folder_search_never_stops_on_a_file_it_chose(repository, monkeypatch):
    monkeypatch.chdir(repository)
    git("init", "-q", cwd=repository)
    result = run("lint", "--select", "DFS103", "--format", "json", ".")
    assert result.exit_code == 1  # as the findings say
    document = json.loads(result.stdout)
    assert [f["path"] for f in document["files"]] == ["Dockerfile", os.path.join("services", "api", "app.Containerfile")]
    assert result.stderr == f"dfslim: note: {os.path.join('docs', 'Dockerfile.example')}: skipped, no FROM instruction, not a Dockerfile\n"
    clean = run("lint", "--select", "DFS103", "Dockerfile", "docs")
    assert clean.exit_code == 0 and clean.stdout.splitlines()[-1] == "1 file linted, 0 findings (0 errors, 0 warnings, 0 infos), 1 file skipped (not a Dockerfile)"
    named = run("lint", "docs/Dockerfile.example", "Dockerfile.dockerignore")
    assert named.exit_code == 2 and "docs/Dockerfile.example: no FROM instruction" in named.stderr  # named: always linted


def test_gitignore_is_respected_unless_told_not_to(repository, monkeypatch):
    monkeypatch.chdir(repository)
    git("init", "-q", cwd=repository)
    assert os.path.join("build", "Dockerfile") not in search(".")
    everything = search(".", gitignore=False)
    assert os.path.join("build", "Dockerfile") in everything
    flagged = json.loads(run("lint", "--no-respect-gitignore", "--select", "DFS103", "--format", "json", ".").stdout)
    assert os.path.join("build", "Dockerfile") in [f["path"] for f in flagged["findings"]]
    # a tracked file is not ignored, as git counts it
    git("add", "-f", "build/Dockerfile", cwd=repository)
    assert os.path.join("build", "Dockerfile") in search(".")
    # a file or a folder named on the command line is linted, ignored or not
    git("rm", "-q", "--cached", "build/Dockerfile", cwd=repository)
    assert [t.path for t in discover(["build/Dockerfile"])] == ["build/Dockerfile"]
    assert [t.path for t in discover(["build"])] == [os.path.join("build", "Dockerfile")]


def test_gitignore_outside_git_is_read_as_git_reads_it(tmp_path):
    root = tmp_path / "tree"
    for folder in ("out", "keep/out", "logs", "nested/deep"):
        (root / folder).mkdir(parents=True)
    for path in ("Dockerfile", "out/Dockerfile", "keep/out/Dockerfile", "logs/Dockerfile", "nested/Dockerfile", "nested/deep/Dockerfile", "a.Dockerfile", "b.Dockerfile"):
        (root / path).write_text(CLEAN)
    (root / ".gitignore").write_text("# build output\n/out/\n*.Dockerfile\n!b.Dockerfile\nlogs\n")
    (root / "nested" / ".gitignore").write_text("deep/\n!/Dockerfile\n")
    found = {os.path.relpath(path, root) for path in search(str(root))}
    assert found == {"Dockerfile", "keep/out/Dockerfile", "b.Dockerfile", "nested/Dockerfile"}
    reader = GitignoreReader(str(root))
    reader.enter(str(root))
    assert reader.ignores(str(root / "out"), is_dir=True) and not reader.ignores(str(root / "keep" / "out"), is_dir=True)


def test_odd_names_are_linted_with_a_warning(tmp_path):
    odd = tmp_path / "odd\nname.Dockerfile"
    odd.write_text(BAD)
    result = run("lint", "--select", "DFS103", "--format", "json", str(tmp_path))
    assert [f["path"] for f in json.loads(result.stdout)["files"]] == [str(odd)]
    assert "the name holds a newline" in result.stderr and repr(str(odd)) in result.stderr


def test_containerfile_suffix_is_found(tmp_path):
    (tmp_path / "app.Containerfile").write_text(CLEAN)
    (tmp_path / "Containerfile.dockerignore").write_text("*\n")
    assert [os.path.basename(path) for path in search(str(tmp_path))] == ["app.Containerfile"]


def test_python_dash_m_walk_outside_git_needs_no_git(tmp_path):
    (tmp_path / "Dockerfile").write_text(CLEAN)
    (tmp_path / ".gitignore").write_text("ignored/\n")
    (tmp_path / "ignored").mkdir()
    (tmp_path / "ignored" / "Dockerfile").write_text(BAD)
    env = dict(os.environ, PATH=os.path.dirname(sys.executable), GIT_CEILING_DIRECTORIES=str(tmp_path.parent))
    done = subprocess.run([sys.executable, "-m", "dfslim", "lint", "--select", "DFS103", "."], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert done.returncode == 0 and "1 file linted" in done.stdout, done.stdout + done.stderr
