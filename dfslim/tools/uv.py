"""uv: `uv sync`, `uv add`, `uv tool`, and its pip interface `uv pip install`."""

from __future__ import annotations

from dfslim.tools import pip
from dfslim.tools.spec import Tool

VALUE_OPTIONS = frozenset({
    "--cache-dir", "--config-file", "--directory", "--project", "--color", "--python", "-p",
    "--group", "--only-group", "--no-group", "--extra", "--package", "--index", "--default-index",
    "--extra-index-url", "--index-url", "-i", "--find-links", "-f", "--link-mode", "--resolution",
    "--prerelease", "--index-strategy", "--keyring-provider", "--exclude-newer", "--refresh-package",
    "--reinstall-package", "--no-build-package", "--no-binary-package", "--only-binary-package",
    "--constraints", "--overrides", "--build-constraints", "--torch-backend", "-C", "--config-setting",
    "--allow-insecure-host",
})
CACHE = dict(
    family="uv",
    ecosystem="python",
    fills=frozenset({"install", "sync", "add", "run", "tool"}),
    caches=("~/.cache/uv",),
    cache_variables=("UV_CACHE_DIR",),
    cache_options=("--cache-dir",),
    no_cache_options=("--no-cache", "--no-cache-dir", "-n"),
    no_cache_flag="--no-cache",
    no_cache_variables=("UV_NO_CACHE",),
    clean="uv cache clean",
    cache_query="uv cache dir",
    mount="/root/.cache/uv",
    insecure_options=(("--allow-insecure-host", True, "accepts any certificate from that host"),),
)

PIP = Tool(
    name="uv pip",
    value_options=VALUE_OPTIONS | pip.VALUE_OPTIONS,
    actions={"install": "install", "sync": "sync", "uninstall": "remove", "compile": "compile"},
    project_installs=frozenset({"install"}),
    dev_by_default=False,
    dev_options=pip.DEV_REQUIREMENTS + ("--extra={dev}",),
    dev_extras=True,
    build_programs=pip.BUILD_PROGRAMS,
    **CACHE,
)

TOOL = Tool(
    name="uv",
    programs=frozenset({"uv"}),
    value_options=VALUE_OPTIONS,
    actions={
        "sync": "sync",
        "add": "add",
        "remove": "remove",
        "lock": "lock",
        "run": "run",
        "tool": "tool",
        "export": "export",
        "cache": "cache",
        "venv": "venv",
        "python": "python",
    },
    compound={"cache": {"clean": "clean", "clear": "clean", "prune": "clean"}},
    cleans=frozenset({("cache", "clean"), ("cache", "clear")}),
    nested={"pip": PIP},
    # the `dev` dependency group is synced unless left out
    # (https://docs.astral.sh/uv/concepts/projects/dependencies/#development-dependencies, read 2025)
    project_installs=frozenset({"sync"}),
    production_options=("--no-dev", "--only-group=*", "--no-default-groups", "--no-group=dev"),
    production_variables=("UV_NO_DEV",),
    dev_options=("--dev", "--only-dev", "--all-groups", "--group={dev}", "--only-group={dev}", "--extra={dev}"),
    production_flag="--no-dev",
    build_programs=pip.BUILD_PROGRAMS,
    **CACHE,
)
