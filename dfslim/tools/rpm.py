"""yum, dnf, microdnf and tdnf: RPM packages (Fedora, RHEL, CentOS, Rocky, Amazon Linux,
Photon). They share their options and subcommands; each keeps its own cache."""

from __future__ import annotations

from dfslim.tools.spec import Tool

VALUE_OPTIONS = frozenset({
    "-c", "--config", "--installroot", "--releasever", "--setopt", "--enablerepo", "--disablerepo",
    "--repo", "--repoid", "-x", "--exclude", "-d", "--debuglevel", "-e", "--errorlevel",
    "--rpmverbosity", "--forcearch", "--downloaddir", "--destdir", "--color", "--enableplugin",
    "--disableplugin", "--cachedir", "-R", "--randomwait", "--comment", "--advisory", "--advisories",
    "--bz", "--cve", "--sec-severity", "--secseverity",
})
ACTIONS = {
    "install": "install",
    "in": "install",
    "localinstall": "install",
    "groupinstall": "install",
    "reinstall": "install",
    "rei": "install",
    "remove": "remove",
    "rm": "remove",
    "erase": "remove",
    "autoremove": "autoremove",
    "groupremove": "remove",
    "update": "upgrade",
    "up": "upgrade",
    "upgrade": "upgrade",
    "upgrade-minimal": "upgrade",
    "update-minimal": "upgrade",
    "downgrade": "upgrade",
    "distro-sync": "upgrade",
    "makecache": "update",
    "clean": "clean",
    "group": "group",
    "groups": "group",
    "module": "module",
    "config-manager": "config",
}
COMPOUND = {
    "group": {"install": "install", "remove": "remove", "upgrade": "upgrade", "update": "upgrade"},
    "groups": {"install": "install", "remove": "remove", "upgrade": "upgrade", "update": "upgrade"},
    "module": {"install": "install", "enable": "module", "disable": "module", "reset": "module"},
}
INSECURE = (("--nogpgcheck", False, "installs packages without checking their signatures"),)


def _tool(name: str, programs: set[str], cache: str) -> Tool:
    return Tool(
        name=name,
        family="rpm",
        programs=frozenset(programs),
        value_options=VALUE_OPTIONS,
        actions=ACTIONS,
        compound=COMPOUND,
        cleans=frozenset({("clean", "all")}),
        fills=frozenset({"install", "upgrade", "update"}),
        caches=("/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5", "/var/cache/microdnf", "/var/cache/tdnf"),
        clean=f"{name} clean all",
        mount=cache,
        yes_options=("-y", "--assumeyes", "--yes"),
        insecure_options=INSECURE,
    )


YUM = _tool("yum", {"yum"}, "/var/cache/yum")
DNF = _tool("dnf", {"dnf", "dnf5", "dnf-3"}, "/var/cache/dnf")
MICRODNF = _tool("microdnf", {"microdnf"}, "/var/cache/yum")
TDNF = _tool("tdnf", {"tdnf"}, "/var/cache/tdnf")
TOOLS = (YUM, DNF, MICRODNF, TDNF)
