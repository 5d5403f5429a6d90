"""apk: Alpine packages."""

from __future__ import annotations

from dfslim.tools.spec import Tool

TOOL = Tool(
    name="apk",
    family="apk",
    programs=frozenset({"apk"}),
    value_options=frozenset({
        "-X", "--repository", "-p", "--root", "--arch", "--cache-dir", "--keys-dir", "--repositories-file",
        "--wait", "--timeout", "-t", "--virtual",
    }),
    actions={"add": "install", "del": "remove", "update": "update", "upgrade": "upgrade", "cache": "cache", "fix": "fix"},
    compound={"cache": {"clean": "clean", "purge": "clean", "sync": "cache", "download": "cache"}},
    # `apk cache clean` only prunes a configured package cache: the index `apk add` and
    # `apk update` wrote into /var/cache/apk stays, so only its removal cleans up
    cleans=frozenset(),
    fills=frozenset({"install", "update", "upgrade"}),
    caches=("/var/cache/apk", "/etc/apk/cache"),
    # `--no-network` fetches no index, so nothing is cached
    no_cache_options=("--no-cache", "--no-network"),
    no_cache_flag="--no-cache",
    clean="rm -rf /var/cache/apk/*",
    mount="/var/cache/apk",
    insecure_options=(("--allow-untrusted", False, "installs packages with untrusted signatures"),),
)
