"""The builders `dfslim measure` drives, and the command lines it gives each (pure:
nothing here runs a program; `detect` is handed the lookups it needs).

- docker: `docker build` (BuildKit, or the classic builder) talking to a running daemon;
  plain progress through `BUILDKIT_PROGRESS=plain`; `docker save` exports the image.
- podman: `podman build --layers`, `podman save --format docker-archive`.
- buildah: `buildah bud --layers` (without `--layers` buildah commits one layer per
  stage, and no instruction could be measured), `buildah push docker-archive:`.

podman and buildah keep an image per instruction as their cache; the ids they print
(`--> 1a2b3c4d5e6`) tell which images a build made, so that only those are removed.
Machines where containers cannot run (a build inside a container) can set
`BUILDAH_ISOLATION=chroot`, which both honour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from dfslim.regex import lazy_compile

NAMES = ("docker", "podman", "buildah")
# `--> 83cb599b60f` and `--> Using cache <id>` (buildah, podman); ` ---> 83cb599b60fe` (classic docker)
BUILD_CONTAINER_RE = lazy_compile(r"-working-container(?:-\d+)?$")
BUILT_ID_RE = lazy_compile(r"^\s*-{2,3}>\s+(?:Using cache\s+)?(?:sha256:)?([0-9a-f]{11,64})\s*$")


class Builder(NamedTuple):
    name: str  # docker | podman | buildah
    program: str  # the executable

    def build(self, dockerfile: str, context: str, tag: str, target: str | None = None, build_args: Sequence[str] = ()) -> list[str]:
        """The command that builds `dockerfile` with `context` into `tag`. No
        `--iidfile`: with it, buildah and podman stop printing the ids of the images
        they make, which the clean-up needs."""
        command = [self.program, "bud" if self.name == "buildah" else "build"]
        if self.name != "docker":
            command += ["--layers", "--force-rm"]
        command += ["-f", dockerfile, "-t", tag]
        if target:
            command += ["--target", target]
        for argument in build_args:
            command += ["--build-arg", argument]
        return command + [context]

    def environment(self) -> dict[str, str]:
        """Variables the build runs with: BuildKit prints its steps as plain lines."""
        return {"BUILDKIT_PROGRESS": "plain"} if self.name == "docker" else {}

    def export(self, image: str, archive: str) -> list[str]:
        """The command that writes `image` to the tarball `archive` (uncompressed layers)."""
        if self.name == "docker":
            return [self.program, "save", "-o", archive, image]
        if self.name == "podman":
            return [self.program, "save", "--quiet", "--format", "docker-archive", "-o", archive, image]
        return [self.program, "push", "--quiet", "--disable-compression", image, f"docker-archive:{archive}"]

    def images(self) -> list[str]:
        """Lists the id of every image, intermediate ones included."""
        return [self.program, "images", "-a", "-q", "--no-trunc"]

    def image_id(self, tag: str) -> list[str]:
        """Prints the id of the image `tag` names."""
        return [self.program, "images", "-q", "--no-trunc", tag]

    def remove_image(self, image: str) -> list[str]:
        """Never forced: an image another container or image still uses stays."""
        return [self.program, "rmi", image]

    def untag(self, image_id: str, tag: str) -> list[str]:
        """Takes our tag off an image that was there before (a cache hit); docker and
        buildah have no untag: removing the name removes only it while others remain."""
        if self.name == "podman":
            return [self.program, "untag", image_id, tag]
        return [self.program, "rmi", tag]

    def containers(self) -> list[str] | None:
        """Lists containers as `ID IMAGE-ID NAME` lines, buildah's build containers
        included (None for docker: BuildKit keeps its own state, the classic builder
        removes its containers)."""
        if self.name == "podman":
            return [self.program, "ps", "-a", "--external", "--no-trunc", "--format", "{{.ID}} {{.ImageID}} {{.Names}}"]
        if self.name == "buildah":
            return [self.program, "containers", "--notruncate", "--format", "{{.ContainerID}} {{.ImageID}} {{.ContainerName}}"]
        return None

    def remove_container(self, container: str) -> list[str]:
        if self.name == "podman":
            return [self.program, "rm", "--force", container]
        return [self.program, "rm", container]

    def version(self) -> list[str]:
        return [self.program, "--version"]


def docker_daemon_check(program: str) -> list[str]:
    """Answers only when a daemon does: the docker client alone is not a builder."""
    return [program, "version", "--format", "{{.Server.Version}}"]


def detect(choice: str, which: Callable[[str], str | None], daemon_answers: Callable[[str], bool]) -> tuple[Builder | None, str | None]:
    """(the builder to use, None) or (None, why there is none). `auto` takes docker when
    its daemon answers, else podman, else buildah."""
    names = NAMES if choice == "auto" else (choice,)
    silent_docker = False
    for name in names:
        program = which(name)
        if program is None:
            continue
        if name == "docker" and not daemon_answers(program):
            silent_docker = True
            continue
        return Builder(name, program), None
    if choice != "auto":
        if silent_docker:
            return None, "docker is installed but its daemon does not answer (is it running?)"
        return None, f"{choice} is not installed (not found on PATH)"
    problem = "no container builder found: dfslim measure needs docker (with its daemon running), podman or buildah"
    if silent_docker:
        problem += "; docker is installed but its daemon does not answer"
    return None, problem


def parse_ids(output: str) -> set[str]:
    """Image or container ids, one a line (`sha256:` dropped)."""
    return {line.strip().removeprefix("sha256:") for line in output.splitlines() if line.strip()}


def parse_containers(output: str) -> dict[str, tuple[str, str]]:
    """{container id: (image id, name)} from `ID IMAGE-ID NAME` lines."""
    found = {}
    for line in output.splitlines():
        fields = line.split(None, 2)
        if fields:
            fields += [""] * (3 - len(fields))
            found[fields[0]] = (fields[1].removeprefix("sha256:"), fields[2].strip())
    return found


def is_build_container(name: str) -> bool:
    """buildah names the container of each build step `<image>-working-container`
    (with `-N` when the name is taken); podman builds are buildah builds."""
    return BUILD_CONTAINER_RE.search(name) is not None


def built_ids(lines: Iterable[str]) -> list[str]:
    """The (short or full) image ids a podman, buildah or classic docker build printed,
    in order."""
    found = []
    for line in lines:
        match = BUILT_ID_RE.match(line)
        if match:
            found.append(match.group(1))
    return found


def made_by_build(short_ids: Sequence[str], before: set[str], after: set[str]) -> list[str]:
    """The full ids of the images that appeared during the build and that it printed,
    newest first (children go before their parents when removing them)."""
    new = after - before
    chosen: list[str] = []
    for short in reversed(short_ids):
        for full in sorted(new):
            if full.startswith(short) and full not in chosen:
                chosen.append(full)
    return chosen
