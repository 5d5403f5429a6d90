"""apt-get, apt and aptitude: Debian and Ubuntu packages."""

from __future__ import annotations

from dfslim.tools.spec import Tool

LISTS = "/var/lib/apt/lists"  # the package index `update` fetches
CLEAR_LISTS = "rm -rf /var/lib/apt/lists/*"

DOWNLOADS = frozenset({"install", "build-dep", "upgrade", "source"})  # actions that fetch packages through the lists
# add a repository and, unless told not to (`-n`), update the lists (software-properties,
# Ubuntu 18.04 and later, Debian)
REPOSITORY_ADDERS = frozenset({"add-apt-repository", "apt-add-repository"})
NO_UPDATE_OPTIONS = ("-n", "--no-update")
# subcommands that only read the package index
QUERIES = ("show", "showpkg", "showsrc", "policy", "list", "search", "depends", "rdepends", "madison", "changelog", "check", "why", "why-not")

TOOL = Tool(
    name="apt",
    family="apt",
    programs=frozenset({"apt-get", "apt", "aptitude"}),
    value_options=frozenset({"-o", "-c", "-t", "--option", "--config-file", "--target-release", "--default-release"}),
    actions={
        "install": "install",
        "reinstall": "install",
        "build-dep": "build-dep",
        "remove": "remove",
        "purge": "remove",
        "autoremove": "autoremove",
        "autopurge": "autoremove",
        "update": "update",
        "upgrade": "upgrade",
        "dist-upgrade": "upgrade",
        "full-upgrade": "upgrade",
        "source": "source",
        "download": "download",
        "clean": "clean",
        "autoclean": "clean",
        "dist-clean": "clean",  # apt 3: `clean`, and the lists too
        "dselect-upgrade": "upgrade",
        "satisfy": "satisfy",
        **{verb: "query" for verb in QUERIES},
    },
    cleans=frozenset({("clean", ""), ("autoclean", ""), ("dist-clean", "")}),
    fills=DOWNLOADS | {"update"},
    caches=("/var/cache/apt",),
    clean=CLEAR_LISTS,
    mount=LISTS,
    yes_options=("-y", "--yes", "--assume-yes"),
    insecure_options=(
        ("--allow-unauthenticated", False, "installs unsigned packages"),
        ("--force-yes", False, "installs unsigned packages"),
        ("--allow-insecure-repositories", False, "accepts unsigned repositories"),
    ),
)

MARK = Tool(
    name="apt-mark",
    family="apt",
    programs=frozenset({"apt-mark"}),
    value_options=frozenset({"-o", "-c", "--option", "--config-file", "-f", "--file"}),
    actions={"auto": "auto", "markauto": "auto", "manual": "manual", "unmarkauto": "manual", "hold": "hold", "unhold": "unhold"},
)
TOOLS = (TOOL, MARK)
