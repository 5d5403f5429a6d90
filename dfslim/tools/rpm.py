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
# subcommands and their aliases as dnf 4 declares them (dnf/cli/commands/*.py: `aliases`)
# and yum 3 accepts them (`groupinstall`, `groupupdate`)
ACTIONS = {
    **dict.fromkeys(("install", "in", "localinstall", "install-n", "install-na", "install-nevra"), "install"),
    **dict.fromkeys(("groupinstall", "reinstall", "rei"), "install"),
    **dict.fromkeys(("remove", "rm", "erase", "groupremove", "grouperase"), "remove"),
    "autoremove": "autoremove",
    # these download packages like install does
    **dict.fromkeys(("upgrade", "update", "up", "upgrade-to", "update-to", "localupdate", "groupupdate"), "upgrade"),
    **dict.fromkeys(("upgrade-minimal", "update-minimal", "up-min", "downgrade"), "upgrade"),
    **dict.fromkeys(("distro-sync", "distrosync", "distribution-synchronization", "dsync"), "upgrade"),
    "swap": "swap",  # removes one package and installs another
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
        fills=frozenset({"install", "upgrade", "update", "swap"}),
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
# `yum-config-manager --save --setopt=...` (yum-utils; `dnf-config-manager` on some
# systems): it only writes repository configuration, so it does all it does as "config"
CONFIG_MANAGER = Tool(
    name="yum-config-manager",
    family="rpm",
    programs=frozenset({"yum-config-manager", "dnf-config-manager"}),
    value_options=VALUE_OPTIONS | {"--add-repo", "--addrepo", "--enable", "--disable"},
    bare="config",
)
TOOLS = (YUM, DNF, MICRODNF, TDNF, CONFIG_MANAGER)
# `--setopt` keys (also `<repo>.<key>`) that turn a check off when set to a false value
NO_TLS_SETTINGS = frozenset({"sslverify"})
NO_SIGNATURE_SETTINGS = frozenset({"gpgcheck", "repo_gpgcheck"})

# `rpm` itself (no subcommands, so no Tool): the options that skip a package's checks, and
# the modes that install (`-i`, `-U`, `-F`; `-ivh` too) or only read (`-q`, `-V`, `-K`)
RPM_INSECURE_OPTIONS = (
    ("--nosignature", "installs packages without checking their signatures"),
    ("--nodigest", "installs packages without checking their digests"),
)
RPM_INSTALL_MODES = ("-i", "-U", "-F", "--install", "--upgrade", "--freshen", "--reinstall")
RPM_QUERY_MODES = ("-q", "-V", "-K", "-e", "--query", "--verify", "--checksig", "--erase")
