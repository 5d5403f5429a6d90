"""yum, dnf, microdnf or zypper leave their cache in the image.

## What it does
Flags a `RUN` that installs packages with `yum`, `dnf` or `microdnf` (also `tdnf`, the dnf
of Photon OS and Azure Linux) without `clean all` (or removing `/var/cache/yum` /
`/var/cache/dnf`) later in the same `RUN`, or with `zypper` without `zypper clean` (or
removing `/var/cache/zypp`).

## Why is this bad?
These package managers download repository metadata (and, depending on the
configuration, the packages themselves) into `/var/cache/yum`, `/var/cache/dnf` or
`/var/cache/zypp`: often 100 MB or more that nothing needs once the packages are installed.
The layer is frozen when the `RUN` ends, so only a cleanup in the same `RUN` keeps the
cache out of the image.

## Example
    RUN dnf install -y httpd

## Use instead
    RUN dnf install -y httpd && dnf clean all

or keep the cache out of the image with a BuildKit cache mount, which also speeds up
rebuilds:

    RUN --mount=type=cache,target=/var/cache/dnf dnf install -y httpd

## Savings
The measured cache of the tool in `dfslim/data/savings.json` (`rpm-cache:yum`,
`rpm-cache:dnf`, `zypper-cache`); unknown for microdnf and tdnf.

## Fix
Safe: appends the clean command of the same tool to the `RUN`: ` && yum clean all`,
` && dnf clean all`, ` && microdnf clean all`, ` && tdnf clean all` or
` && zypper clean --all`. No fix is
offered when the last command of the `RUN` sits inside a branch, a loop or a subshell.

## Exemptions
Not flagged when `yum`/`dnf`/`microdnf`/`tdnf clean all` (any of them: on current
systems `yum` is `dnf`), `zypper clean`, or an `rm -rf` of the cache folder (or a parent) comes
later in the same `RUN`, or when a cache or tmpfs mount covers the cache folder.

## Scope
Only stages that ship: a builder stage's cache never reaches the final image.
"""

from dfslim.api import Fix, Meta, Severity, Violation
from dfslim.savings import figure
from dfslim.shell import append_at_end, cache_mounted, package_action, removes, subcommand

META = Meta(
    id="DFS107",
    name="rpm-cache-kept",
    category="size",
    severity=Severity.WARNING,
    scope="final",
    fix="safe",
    others=("hadolint DL3032/DL3040/DL3036", "trivy DS-0015/0019/0020/0027"),
)

RPM_TOOLS = ("yum", "dnf", "microdnf", "tdnf")
INSTALLS = frozenset({"install", "in", "localinstall", "groupinstall", "reinstall"})
GROUPS = frozenset({"group", "groups", "module"})  # `dnf group install ...`
RPM_CACHES = ("/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5", "/var/cache/tdnf")
ZYPPER_CACHES = ("/var/cache/zypp",)
CACHE_OF = {"yum": "/var/cache/yum", "microdnf": "/var/cache/yum", "dnf": "/var/cache/dnf", "tdnf": "/var/cache/tdnf", "zypper": "/var/cache/zypp"}
SAVINGS_KEY = {"yum": "rpm-cache:yum", "dnf": "rpm-cache:dnf", "microdnf": "rpm-cache:microdnf", "zypper": "zypper-cache"}
CLEAN = {
    "yum": "yum clean all",
    "dnf": "dnf clean all",
    "microdnf": "microdnf clean all",
    "tdnf": "tdnf clean all",
    "zypper": "zypper clean --all",
}


def check(dockerfile):
    for instruction in dockerfile.of("RUN"):
        commands = instruction.script.commands
        offenders = []
        last_cleanup: dict[str, int] = {}  # by family: index of the last command cleaning up, once needed
        for index, command in enumerate(commands):
            action = package_action(command)
            if action is None or not _installs(action):
                continue
            family = "zypper" if action.tool == "zypper" else "rpm"
            caches = ZYPPER_CACHES if family == "zypper" else RPM_CACHES
            if cache_mounted(instruction, *caches):
                continue
            if family not in last_cleanup:
                # found once per family: looking through the rest of the RUN for every
                # install was quadratic in the installs of one RUN
                last_cleanup[family] = max(
                    (at for at, later in enumerate(commands) if _cleans(later, family) or removes(later, *caches)), default=-1
                )
            if last_cleanup[family] > index:
                continue
            offenders.append((command, action))
        if not offenders:
            continue
        cleanups = []
        for command, action in offenders:
            sudo = "sudo " if command.words[0].text.rsplit("/", 1)[-1] == "sudo" else ""
            cleanup = sudo + CLEAN[action.tool]
            if cleanup not in cleanups:
                cleanups.append(cleanup)
        text = "".join(" && " + cleanup for cleanup in cleanups)
        edit = append_at_end(dockerfile, instruction, text)
        fix = Fix(f"Append `{text.strip()}` to this RUN", (edit,)) if edit else None
        tool = offenders[0][1].tool
        cache = CACHE_OF[tool]
        yield Violation(
            instruction,
            f"{tool} leaves its package cache in the image",
            f"append `{text.strip()}` to this RUN, or mount a cache: "
            f"`RUN --mount=type=cache,target={cache} ...`",
            fix=fix,
            savings_bytes=_saving({action.tool for _command, action in offenders}),
        )


def _saving(tools) -> int | None:
    """The sum of the measured caches of the tools (`rpm-cache:dnf`, `rpm-cache:yum`,
    `zypper-cache`), None when one of them has no figure."""
    total = 0
    for tool in tools:
        bytes_ = figure(SAVINGS_KEY.get(tool, ""))
        if bytes_ is None:
            return None
        total += bytes_
    return total


def _installs(action) -> bool:
    if action.tool not in RPM_TOOLS and action.tool != "zypper":
        return False
    if action.action in INSTALLS:
        return True
    if action.action in GROUPS and action.tool != "zypper":
        return subcommand(action.words[action.index :])[1] == "install"
    return False


def _cleans(command, family: str) -> bool:
    """`yum clean all` (or dnf, microdnf) for the rpm tools; `zypper clean`/`cc` for zypper."""
    action = package_action(command)
    if action is None:
        return False
    if family == "zypper":
        return action.tool == "zypper" and action.action in ("clean", "cc")
    if action.tool not in RPM_TOOLS or action.action != "clean":
        return False
    return subcommand(action.words[action.index :])[1] == "all"
