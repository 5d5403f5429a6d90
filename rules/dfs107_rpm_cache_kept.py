"""yum, dnf, microdnf or zypper leave their cache in the image.

## What it does
Flags a `RUN` that installs packages with `yum`, `dnf` or `microdnf` (also `tdnf`, the dnf
of Photon OS and Azure Linux) without `clean all` (or removing `/var/cache/yum` /
`/var/cache/dnf`) later in the same `RUN`, or with `zypper` without `zypper clean` (or
removing `/var/cache/zypp`). The commands that download packages like `install` count
too: `reinstall` (`rei`), `groupinstall`, `group install`, `upgrade`, `update`, `up`,
`upgrade-minimal` (`up-min`), `downgrade`, `distro-sync`, `swap`; for zypper `update` (`up`),
`dist-upgrade` (`dup`), `patch`.

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
`rpm-cache:dnf`, `zypper-cache`); unknown for microdnf and tdnf. Most of it is the
repositories' metadata, which a later `RUN` of the stage (or of a stage built `FROM` it)
reuses while an earlier layer keeps it: the figure counts at the first `RUN` that keeps
the cache, and 0 at the later ones until a `RUN` cleans it.

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

from dfslim.api import Fix, Meta, Severity, Violation, append_at_end, caches_kept, cleanup_commands, tool_call
from dfslim.savings import figure

META = Meta(
    id="DFS107",
    name="rpm-cache-kept",
    category="size",
    severity=Severity.WARNING,
    scope="final",
    fix="safe",
    others=("hadolint DL3032/DL3040/DL3036", "trivy DS-0015/0019/0020/0027"),
)

FAMILIES = ("rpm", "zypper")
DOWNLOADING = ("install", "upgrade", "swap")  # actions that fill the cache with packages and metadata
SAVINGS_KEY = {"yum": "rpm-cache:yum", "dnf": "rpm-cache:dnf", "microdnf": "rpm-cache:microdnf", "zypper": "zypper-cache"}


def check(dockerfile):
    cached_before = _cached_before(dockerfile)
    for instruction in dockerfile.of("RUN"):
        offenders = caches_kept(dockerfile, instruction, _installs)
        if not offenders:
            continue
        cached = cached_before.get(instruction.index, frozenset())
        text = cleanup_commands(offenders)
        edit = append_at_end(dockerfile, instruction, text)
        fix = Fix(f"Append `{text.strip()}` to this RUN", (edit,)) if edit else None
        command, first = offenders[0]
        yield Violation(
            instruction,
            f"{first.name} leaves its package cache in the image",
            f"append `{text.strip()}` to this RUN, or mount a cache: "
            f"`RUN --mount=type=cache,target={first.tool.mount} ...`",
            fix=fix,
            savings_bytes=_saving({call.name for _command, call in offenders if call.tool.family not in cached}),
            focus=instruction.script.span(command),
        )


def _cached_before(dockerfile) -> dict[int, frozenset[str]]:
    """For each RUN, by index: the tool families (`rpm`, `zypper`) whose cache an earlier
    layer of its stage, or of the stages it is built FROM, left and no later RUN cleaned.
    A RUN installing on top of a kept cache reuses its repository metadata and adds little:
    the metadata is priced once, at the first RUN that keeps it."""
    before: dict[int, frozenset[str]] = {}
    ended: dict[int, frozenset[str]] = {}
    for stage in dockerfile.stages:
        present = ended.get(stage.parent, frozenset()) if stage.parent is not None else frozenset()
        for instruction in stage.instructions:
            if instruction.keyword != "RUN" or instruction.onbuild:
                continue
            before[instruction.index] = present
            kept = {call.tool.family for _command, call in caches_kept(dockerfile, instruction, _installs)}
            cleaned = {call.tool.family for call in map(tool_call, instruction.script.commands)
                       if call is not None and call.tool.family in FAMILIES and call.cleans_cache}
            present = frozenset((present - cleaned) | kept)
        ended[stage.index] = present
    return before


def _installs(_index, call) -> bool:
    """Installs and the commands that download packages like one (`upgrade`, `reinstall`...)."""
    return call.tool.family in FAMILIES and call.action in DOWNLOADING


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
