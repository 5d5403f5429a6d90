"""Configuration files: discovery, merging with the command line, exclude, per-file-ignores,
and errors that name the file and the key.

`tests/fixtures/config/monorepo` is a small repository: a `[tool.dfslim]` at its root, a
`pyproject.toml` without our table in `services/web` (not ours: the search goes on), and a
`.dfslim.toml` beside a `pyproject.toml` in `tools` (the `.dfslim.toml` wins).
"""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from dfslim.cli import main
from dfslim.config import ConfigError, ConfigFileError, Configs, Settings, glob_match, load_config

MONOREPO = FIXTURES / "config" / "monorepo"
BAD = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nFORM x\n"


@pytest.fixture(autouse=True)
def no_github_actions(monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def lint(*args, input=None):
    return CliRunner().invoke(main, ["lint", *args], input=input, catch_exceptions=False)


def found(*args, input=None) -> tuple[int, list[tuple[str, str, str]]]:
    result = lint("--format", "json", *args, input=input)
    document = json.loads(result.stdout)
    return result.exit_code, [(f["path"].replace(os.sep, "/"), f["rule"], f["severity"]) for f in document["findings"]]


@pytest.fixture
def monorepo(monkeypatch):
    monkeypatch.chdir(MONOREPO)
    return MONOREPO


def test_folder_search_uses_each_files_nearest_configuration(monorepo):
    status, findings = found(".")
    assert findings == [
        ("Dockerfile", "DFS103", "info"),  # severity by name
        ("Dockerfile", "DFS300", "error"),  # the rule's own entry beats its category's
        ("legacy/Dockerfile", "DFS103", "info"),  # `legacy/*.Dockerfile` leaves it in
        ("services/api/Dockerfile", "DFS103", "info"),  # per-file-ignores drops correctness
        ("services/web/Dockerfile", "DFS103", "info"),  # its pyproject has no [tool.dfslim]
        ("tools/Dockerfile", "DFS300", "error"),  # tools/.dfslim.toml, not tools/pyproject.toml
    ]
    assert status == 1


def test_exclude_applies_to_folder_search_not_to_named_files(monorepo):
    assert found("vendor/Dockerfile", "legacy/old.Dockerfile")[1] == [
        ("legacy/old.Dockerfile", "DFS103", "info"),
        ("vendor/Dockerfile", "DFS103", "info"),
    ]
    assert found("vendor")[1] == []  # the named folder itself is searched...
    result = lint("legacy")
    assert result.exit_code == 0 and result.stdout.startswith("legacy/Dockerfile:2:1")  # ...without old.Dockerfile
    forced = lint("--force-exclude", "vendor/Dockerfile", "legacy/old.Dockerfile", "services/api/Dockerfile")
    assert forced.stdout.splitlines()[-1].startswith("1 file linted")
    everything_excluded = lint("--force-exclude", "vendor/Dockerfile")
    assert everything_excluded.exit_code == 0 and everything_excluded.stderr == ""


def test_command_line_overrides_the_file(monorepo):
    # --select replaces the file's select and ignore (per-file-ignores still apply)
    assert found("--select", "DFS300", "Dockerfile", "services/api/Dockerfile")[1] == [("Dockerfile", "DFS300", "error")]
    # --ignore adds to the file's ignore
    assert found("--ignore", "apt-lists-kept", "Dockerfile")[1] == [("Dockerfile", "DFS300", "error")]
    # --fail-level replaces the file's (tools/ fails at error only)
    assert lint("tools/Dockerfile").exit_code == 1
    assert lint("--fail-level", "none", "tools/Dockerfile").exit_code == 0
    assert lint("legacy/Dockerfile").exit_code == 0  # an info finding, fail-level warning
    assert lint("--fail-level", "info", "legacy/Dockerfile").exit_code == 1


def test_config_option_wins_over_discovery(monorepo):
    other = str(MONOREPO.parent / "other.toml")
    assert found("--config", other, ".")[1] == [
        ("Dockerfile", "DFS103", "warning"),
        ("legacy/Dockerfile", "DFS103", "warning"),
        ("legacy/old.Dockerfile", "DFS103", "warning"),  # other.toml excludes nothing
        ("services/api/Dockerfile", "DFS103", "warning"),
        ("services/web/Dockerfile", "DFS103", "warning"),
        ("tools/Dockerfile", "DFS103", "warning"),
        ("vendor/Dockerfile", "DFS103", "warning"),
    ]


def test_standard_input_uses_the_current_folders_configuration(monorepo):
    assert found("-", input=BAD)[1] == [("-", "DFS103", "info"), ("-", "DFS300", "error")]


def test_no_configuration_anywhere(tmp_path, monkeypatch):
    (tmp_path / "Dockerfile").write_text(BAD)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    monkeypatch.chdir(tmp_path)
    configs = Configs(select="DFS103")
    settings = configs.settings_for("Dockerfile")
    if settings.source is None:  # nothing above the temporary folder configures dfslim
        assert settings is configs.defaults
        assert found("--select", "DFS103,DFS300", "Dockerfile")[1] == [("Dockerfile", "DFS103", "warning"), ("Dockerfile", "DFS300", "error")]


def test_explicit_pyproject_without_our_table_is_an_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    with pytest.raises(ConfigFileError, match=r"pyproject.toml: no \[tool.dfslim\] table"):
        load_config(str(tmp_path / "pyproject.toml"), explicit=True)
    assert load_config(str(tmp_path / "pyproject.toml")) is None


def test_a_named_config_file_may_use_the_tool_table(tmp_path):
    (tmp_path / "ci.toml").write_text('[tool.dfslim]\nselect = ["DFS103"]\n')
    assert load_config(str(tmp_path / "ci.toml"), explicit=True).select == ("DFS103",)


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("pyproject.toml", "[tool.dfslim]\nselct = ['DFS103']\n", "pyproject.toml: tool.dfslim.selct: unknown key (did you mean 'select'?)"),
        ("pyproject.toml", "[tool.dfslim]\nfail_level = 'error'\n", "tool.dfslim.fail_level: unknown key (did you mean 'fail-level'?)"),
        (".dfslim.toml", "colour = true\n", ".dfslim.toml: colour: unknown key (known keys: select, ignore"),
        (".dfslim.toml", "select = ['DFS999']\n", ".dfslim.toml: select: unknown rule 'DFS999'"),
        (".dfslim.toml", "ignore = ['apt-lists']\n", ".dfslim.toml: ignore: unknown rule 'apt-lists'"),
        (".dfslim.toml", "select = 'DFS103'\n", ".dfslim.toml: select: must be a list of strings"),
        (".dfslim.toml", "fail-level = 'warn'\n", ".dfslim.toml: fail-level: unknown fail level 'warn'"),
        (".dfslim.toml", "[severity]\nDFS103 = 'fatal'\n", ".dfslim.toml: severity.DFS103: unknown severity 'fatal'"),
        (".dfslim.toml", "[severity]\nDFS998 = 'error'\n", ".dfslim.toml: severity.DFS998: unknown rule 'DFS998'"),
        (".dfslim.toml", "severity = 'error'\n", ".dfslim.toml: severity: must be a table"),
        (".dfslim.toml", "exclude = [1]\n", ".dfslim.toml: exclude: must be a list of strings"),
        (".dfslim.toml", "[per-file-ignores]\n'docker/*.Dockerfile' = ['nope']\n", """.dfslim.toml: per-file-ignores."docker/*.Dockerfile": unknown rule 'nope'"""),
        (".dfslim.toml", "per-file-ignores = ['x']\n", ".dfslim.toml: per-file-ignores: must be a table"),
        ("pyproject.toml", "[tool]\ndfslim = 3\n", "pyproject.toml: tool.dfslim: must be a table"),
        ("pyproject.toml", "[tool.dfslim]\nselect = [\n", "pyproject.toml:2: invalid TOML: Invalid value (at end of document)"),
        (".dfslim.toml", "select = ['DFS103']\nfail-level = error\n", ".dfslim.toml:2: invalid TOML: Invalid value (at line 2, column 14)"),
    ],
)
def test_bad_configuration_is_one_line_naming_file_and_key(tmp_path, monkeypatch, name, text, message):
    (tmp_path / name).write_text(text)
    (tmp_path / "Dockerfile").write_text(BAD)
    monkeypatch.chdir(tmp_path)
    result = lint("Dockerfile")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("dfslim: error: ") and message in lines[0], result.stderr
    via_option = lint("--config", name, "Dockerfile")  # the same with --config
    assert via_option.exit_code == 2 and message in via_option.stderr


def test_unknown_config_file_and_unknown_cli_rule(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = lint("--config", "missing.toml", ".")
    assert result.exit_code == 2 and result.stderr.strip() == "dfslim: error: missing.toml: cannot read the configuration: No such file or directory"
    usage = lint("--ignore", "nope", ".")
    assert usage.exit_code == 2 and "unknown rule 'nope'" in usage.output


def test_ids_names_and_categories_everywhere(tmp_path):
    (tmp_path / ".dfslim.toml").write_text(
        'select = ["dfs103", "apt-lists-kept", "correctness"]\n'
        'ignore = ["security"]\n'
        '[severity]\nsize = "error"\nall = "info"\n'
        '[per-file-ignores]\n"*.dev.Dockerfile" = ["size", "DFS300"]\n'
    )
    config = load_config(str(tmp_path / ".dfslim.toml"))
    settings = Configs().settings_in(str(tmp_path))
    assert settings.source is not None and settings.select == config.select
    from dfslim.registry import all_rules

    for rule in all_rules():
        expected = "error" if rule.meta.category == "size" else "info"
        assert config.severities[rule.id].label == expected
    ids = {rule.id for rule in settings.rules()}
    assert {"DFS103", "DFS300"} <= ids and not any(rule.meta.category == "security" for rule in settings.rules())
    dev = {rule.id for rule in settings.rules_for(str(tmp_path / "api.dev.Dockerfile"))}
    assert "DFS103" not in dev and "DFS300" not in dev
    assert {rule.id for rule in settings.rules_for(str(tmp_path / "Dockerfile"))} == ids


@pytest.mark.parametrize(
    "pattern, path, matched",
    [
        ("vendor", "vendor", True),
        ("vendor", "a/vendor/Dockerfile", True),
        ("vendor", "vendors/Dockerfile", False),
        ("*.dev.Dockerfile", "x/api.dev.Dockerfile", True),
        ("legacy/*.Dockerfile", "legacy/a.Dockerfile", True),
        ("legacy/*.Dockerfile", "legacy/sub/a.Dockerfile", False),
        ("legacy/*.Dockerfile", "x/legacy/a.Dockerfile", False),  # a pattern with `/` is anchored
        ("/legacy", "legacy/Dockerfile", True),
        ("legacy/", "legacy/Dockerfile", True),
        ("./docker/old", "docker/old/Dockerfile", True),
        ("**/test/*", "a/b/test/Dockerfile", True),
        ("**/test/*", "test/Dockerfile", True),
        ("services/**", "services/api/Dockerfile", True),
        ("services/**", "other/services/Dockerfile", False),
        ("docker/Dockerfile.[!p]*", "docker/Dockerfile.dev", True),
        ("docker/Dockerfile.[!p]*", "docker/Dockerfile.prod", False),
        ("docker/?.Dockerfile", "docker/a.Dockerfile", True),
        ("Dockerfile", "Dockerfile.dev", False),
        ("a+b(c)", "a+b(c)/Dockerfile", True),
        ("", "Dockerfile", False),
    ],
)
def test_glob_match(pattern, path, matched):
    assert glob_match(pattern, path) is matched


def test_lookups_are_cached_per_folder(tmp_path, monkeypatch):
    import dfslim.config as config

    (tmp_path / "pyproject.toml").write_text('[tool.dfslim]\nselect = ["DFS103"]\n')
    for number in range(4):
        (tmp_path / f"d{number}" / "deep").mkdir(parents=True)
    loads, checks = [], []
    real_load, real_isfile = config.load_config, os.path.isfile
    monkeypatch.setattr(config, "load_config", lambda path, explicit=False: loads.append(path) or real_load(path, explicit))
    monkeypatch.setattr(config.os.path, "isfile", lambda path: checks.append(path) or real_isfile(path))
    configs = Configs()
    paths = [str(tmp_path / f"d{n}" / "deep" / f"{i}.Dockerfile") for n in range(4) for i in range(50)]
    settings = {id(configs.settings_for(path)) for path in paths}
    assert len(settings) == 1 and loads == [str(tmp_path / "pyproject.toml")]
    assert len(checks) <= 2 * 9  # two names in each of the 9 folders, once


def test_settings_defaults_and_cli_validation():
    assert Settings().fail_level == "warning"
    with pytest.raises(ConfigError, match="unknown rule 'DFS999'"):
        Configs(select="DFS999")
    with pytest.raises(ConfigError, match="unknown fail level"):
        Configs(fail_level="fatal")


def test_the_documented_example_loads(tmp_path):
    import re
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```toml\n(.*?)```", docs, re.S)
    (tmp_path / "pyproject.toml").write_text(example)
    config = load_config(str(tmp_path / "pyproject.toml"))
    assert config.fail_level == "error" and config.severities["DFS201"].label == "warning"
    assert glob_match(config.exclude[2], "a/testdata/Dockerfile")


# ------------------------------------------------------------------ max-savings

GATED = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\nUSER app\n"


def _savings(path) -> int:
    """The file's estimated savings, as the JSON report gives them."""
    document = json.loads(lint("--format", "json", "--fail-level", "none", str(path)).stdout)
    return sum(finding["savings_bytes"] or 0 for finding in document["findings"])


def test_max_savings_fails_the_run_and_says_by_how_much(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(GATED)
    total = _savings("Dockerfile")
    assert total > 20e6  # the apt lists and curl's recommends
    over = lint("--fail-level", "none", "--max-savings", "10MB", "Dockerfile")
    assert over.exit_code == 1
    (line,) = [line for line in over.stderr.splitlines() if line.startswith("dfslim: ")]
    from dfslim.units import megabytes

    assert line == (f"dfslim: Dockerfile: estimated avoidable {megabytes(total)} ({total:,} bytes) "
                    f"exceeds 10 MB (--max-savings) by {megabytes(total - 10**7)}")
    under = lint("--fail-level", "none", "--max-savings", f"{total}", "Dockerfile")  # not above: passes
    assert under.exit_code == 0 and "exceeds" not in under.stderr
    # the gate adds to the fail level's status, never lowers a file error's 2
    (tmp_path / "bad.Dockerfile").write_text("FORM x\n")
    assert lint("--max-savings", "10MB", "Dockerfile", "bad.Dockerfile").exit_code == 2


def test_max_savings_in_the_configuration_and_the_command_line_wins(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(GATED)
    (tmp_path / ".dfslim.toml").write_text('fail-level = "none"\nmax-savings = "10MB"\n')
    from_file = lint("Dockerfile")
    assert from_file.exit_code == 1 and "exceeds 10 MB (max-savings in .dfslim.toml)" in from_file.stderr
    assert lint("--max-savings", "1GB", "Dockerfile").exit_code == 0
    (tmp_path / ".dfslim.toml").write_text(f'fail-level = "none"\nmax-savings = {10**9}\n')  # bytes
    assert lint("Dockerfile").exit_code == 0
    assert Configs().settings_for(str(tmp_path / "Dockerfile")).max_savings == 10**9


@pytest.mark.parametrize("value", ["lots", "-5MB", "5 XB", "", "nan MB"])
def test_a_bad_max_savings_is_one_line_and_status_2(tmp_path, monkeypatch, value):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(GATED)
    cli = lint("--max-savings", value, "Dockerfile")
    assert cli.exit_code == 2 and f"--max-savings: not a size: {value!r}" in cli.output
    (tmp_path / ".dfslim.toml").write_text(f"max-savings = {json.dumps(value)}\n")
    found = lint("Dockerfile")
    (line,) = found.stderr.strip().splitlines()
    assert found.exit_code == 2 and ".dfslim.toml" in line and "max-savings" in line and "Traceback" not in found.output
