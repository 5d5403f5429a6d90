"""zypper: openSUSE and SLES packages."""

from __future__ import annotations

from dfslim.tools.spec import Tool

TOOL = Tool(
    name="zypper",
    family="zypper",
    programs=frozenset({"zypper"}),
    value_options=frozenset({
        "-R", "--root", "-D", "--reposd-dir", "-C", "--cache-dir", "--raw-cache-dir", "--solv-cache-dir",
        "--pkg-cache-dir", "-c", "--config", "--releasever", "--installroot",
    }),
    actions={
        "install": "install",
        "in": "install",
        "remove": "remove",
        "rm": "remove",
        "refresh": "update",
        "ref": "update",
        "update": "upgrade",
        "up": "upgrade",
        "dist-upgrade": "upgrade",
        "dup": "upgrade",
        "patch": "upgrade",  # installs the patches' packages
        "install-new-recommends": "install",
        "inr": "install",
        "clean": "clean",
        "cc": "clean",
    },
    cleans=frozenset({("clean", "*"), ("cc", "*")}),
    fills=frozenset({"install", "update", "upgrade"}),
    caches=("/var/cache/zypp",),
    clean="zypper clean --all",
    mount="/var/cache/zypp",
    yes_options=("-n", "--non-interactive", "-y", "--no-confirm"),
    insecure_options=(("--no-gpg-checks", False, "installs packages without checking their signatures"),),
)
