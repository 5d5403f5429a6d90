"""pip: `pip`, `pip3`, `pip3.11`, `/opt/venv/bin/pip`, `python -m pip`."""

from __future__ import annotations

from dfslim.tools.spec import Tool

# the options pip and its subcommands read a value from the next word (global options
# and `install`'s, which is where they are written)
VALUE_OPTIONS = frozenset({
    "--proxy", "--cache-dir", "--log", "--log-file", "--local-log", "--timeout", "--retries",
    "--exists-action", "--trusted-host", "--cert", "--client-cert", "--python",
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
    "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--src",
    "--platform", "--python-version", "--implementation", "--abi", "--upgrade-strategy",
    "--progress-bar", "--only-binary", "--no-binary", "-C", "--config-settings", "--global-option",
    "--install-option", "--report", "--root-user-action", "--index", "--default-index", "--group",
    "--keyring-provider",
})
NO_CACHE = "--no-cache-dir"
# programs of a Python project's development dependencies that build or check it
BUILD_PROGRAMS = frozenset("pytest py.test tox nox mkdocs sphinx-build mypy ruff flake8 pylint black".split())
# development requirements: a requirements file or a dependency group (pip 25.1+) with a
# development name (`requirements-dev.txt`, `--group test`)
DEV_REQUIREMENTS = ("-r={dev}", "--requirement={dev}", "--group={dev}")

TOOL = Tool(
    name="pip",
    family="pip",
    ecosystem="python",
    program_pattern=r"pip(\d+(\.\d+)*)?",
    python_module="pip",
    value_options=VALUE_OPTIONS,
    actions={
        "install": "install",
        "uninstall": "remove",
        "download": "download",
        "wheel": "wheel",
        "cache": "cache",
        "config": "config",
    },
    compound={"cache": {"purge": "clean", "remove": "clean", "rm": "clean"}},
    cleans=frozenset({("cache", "purge"), ("cache", "remove"), ("cache", "rm")}),
    fills=frozenset({"install", "download", "wheel"}),
    caches=("~/.cache/pip",),
    cache_variables=("PIP_CACHE_DIR",),
    cache_options=("--cache-dir",),
    # as pip's option parser reads it, abbreviated too
    no_cache_options=tuple(NO_CACHE[:length] for length in range(len("--no-cach"), len(NO_CACHE) + 1)),
    no_cache_flag="--no-cache-dir",
    # pip turns its cache off for any valid value of this, `0` and `false` included
    no_cache_variables=("PIP_NO_CACHE_DIR",),
    no_cache_any_value=True,
    clean="pip cache purge",
    cache_query="pip cache dir",
    mount="/root/.cache/pip",
    insecure_options=(("--trusted-host", True, "accepts any certificate (or plain http) from that host"),),
    project_installs=frozenset({"install"}),
    dev_by_default=False,
    dev_options=DEV_REQUIREMENTS,
    dev_extras=True,
    build_programs=BUILD_PROGRAMS,
)

