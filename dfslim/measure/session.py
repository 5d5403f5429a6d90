"""Running the builder: builds, exports, and the clean-up of everything they made, also
when a build fails, runs out of time or is interrupted.

The builder runs in a process group of its own, so that Ctrl-C reaches dfslim only: dfslim then
stops the builder's whole process group (SIGTERM, then SIGKILL) and removes what the
builds left. What it removes is only what they made: the images tagged for this run,
the images the builder printed as made while the run went on (podman's and buildah's
per-instruction cache, docker's classic builder's intermediate images), and, after a
build it had to stop, the build containers the builder left behind on those images or
on images that were there before. A tag on an image that existed before (a cache hit)
is removed, not the image. The builder's own temporary files go to the run's folder
(TMPDIR): buildah leaves the folder of a RUN it was stopped in behind.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Sequence

from dfslim.measure.builders import Builder, built_ids, is_build_container, made_by_build, parse_containers, parse_ids
from dfslim.measure.progress import Progress, elapsed

TAIL_LINES = 40  # builder lines kept for --verbose
STOP_GRACE_SECONDS = 10
HOUSEKEEPING_SECONDS = 120  # for one listing, export or removal
TICK_SECONDS = 0.5
IMAGE_NAME = "localhost/dfslim-measure"


class MeasureError(Exception):
    """A step that failed; the message is one line, `tail` the builder's last lines."""

    def __init__(self, message: str, tail: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.tail = list(tail)


class _Stopped(Exception):
    """The builder was stopped (time out or interrupt) before it finished."""


def _stop(process: subprocess.Popen) -> None:
    """Stop the builder and everything it started."""
    for sig, wait in ((signal.SIGTERM, STOP_GRACE_SECONDS), (signal.SIGKILL, STOP_GRACE_SECONDS)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _read_lines(stream, lines: queue.Queue) -> None:
    """Feed the builder's output to `lines`, None at its end."""
    try:
        for raw in iter(stream.readline, b""):
            lines.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
    except (OSError, ValueError):  # the pipe closed under it: the builder was stopped
        pass
    finally:
        lines.put(None)


class Session:
    """One `dfslim measure` run's builds and their clean-up (a context manager)."""

    def __init__(self, builder: Builder, timeout: float, progress: Progress):
        self.builder = builder
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.progress = progress
        self.folder = tempfile.mkdtemp(prefix="dfslim-measure-")
        self.scratch = os.path.join(self.folder, "tmp")  # the builder's TMPDIR
        os.mkdir(self.scratch)
        self.token = os.urandom(4).hex()
        self.tags: dict[str, str | None] = {}  # tag -> image id it got (None: build failed)
        self.printed: list[str] = []  # ids the builds printed as made
        self.images_before: set[str] | None = None
        self.containers_before: dict[str, tuple[str, str]] | None = None
        self.stopped_a_build = False
        self.warnings: list[str] = []

    # ------------------------------------------------------------ running

    def __enter__(self) -> Session:
        self.images_before = self._listing(self.builder.images(), parse_ids)
        command = self.builder.containers()
        self.containers_before = self._listing(command, parse_containers) if command else None
        return self

    def __exit__(self, *exc_info) -> None:
        self.clean_up()

    def _listing(self, command: list[str], parse):
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=HOUSEKEEPING_SECONDS)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return parse(done.stdout) if done.returncode == 0 else None

    def run(self, command: list[str], what: str, environment: dict[str, str] | None = None, output: list[str] | None = None) -> list[str]:
        """Run a builder command under the deadline, feeding its output to the progress
        display and to `output` (kept by the caller when it fails); returns the lines.
        Raises MeasureError when it fails or runs out of time; KeyboardInterrupt stops
        it and goes on up."""
        env = dict(os.environ, **(environment or {}))
        try:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        except OSError as error:
            raise MeasureError(f"cannot run {command[0]}: {error.strerror or error}") from None
        lines: queue.Queue = queue.Queue()
        reader = threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True)
        reader.start()
        output = [] if output is None else output
        tail: deque[str] = deque(maxlen=TAIL_LINES)
        try:
            self._follow(process, lines, output, tail)
        except BaseException as stop:
            _stop(process)
            self.stopped_a_build = True
            if isinstance(stop, _Stopped):
                raise MeasureError(f"{what} did not finish within the time allowed ({elapsed(self.timeout)}; --timeout sets it)", tail) from None
            raise
        finally:
            reader.join(STOP_GRACE_SECONDS)
            process.stdout.close()
        if process.returncode:
            raise MeasureError(f"{what} failed (exit {process.returncode}){_last_error(tail)}", tail)
        return output

    def _follow(self, process: subprocess.Popen, lines: queue.Queue, output: list[str], tail: deque) -> None:
        finished = False
        while not finished:
            if time.monotonic() > self.deadline:
                raise _Stopped()
            try:
                line = lines.get(timeout=TICK_SECONDS)
            except queue.Empty:
                self.progress.tick()
                continue
            if line is None:
                finished = True
                continue
            output.append(line)
            tail.append(line)
            self.progress.step(line)
            self.progress.tick()
        while True:
            try:
                process.wait(timeout=TICK_SECONDS)
                return
            except subprocess.TimeoutExpired:
                if time.monotonic() > self.deadline:
                    raise _Stopped() from None

    # ------------------------------------------------------------ steps

    def build(self, dockerfile: str, context: str, label: str, target: str | None, build_args: Sequence[str]) -> str:
        """Build a Dockerfile; returns the tag it got."""
        tag = f"{IMAGE_NAME}:{self.token}-{label}"
        self.tags[tag] = None
        command = self.builder.build(dockerfile, context, tag, target, build_args)
        self.progress.phase(f"building the Dockerfile {LABELS[label]} with {self.builder.name}")
        output: list[str] = []
        try:
            self.run(command, f"the build of the Dockerfile {LABELS[label]}", dict(self.builder.environment(), TMPDIR=self.scratch), output)
        finally:
            self.printed += built_ids(output)
        found = self._listing(self.builder.image_id(tag), parse_ids)
        self.tags[tag] = next(iter(found)) if found else None
        return tag

    def export(self, tag: str) -> str:
        """Write the image to a tarball in the run's folder; returns its path."""
        archive = os.path.join(self.folder, f"{tag.rsplit(':', 1)[-1]}.tar")
        self.progress.phase(f"exporting the image to read its layers ({self.builder.name})")
        self.run(self.builder.export(tag, archive), "the export of the built image")
        return archive

    # ------------------------------------------------------------ clean-up

    def clean_up(self) -> None:
        """Remove what the run made, undisturbed by a second Ctrl-C; what cannot be
        removed is named on standard error."""
        self.progress.phase("removing what the builds made")
        with _signals_held():
            try:
                after = self._listing(self.builder.images(), parse_ids)
                if self.stopped_a_build:
                    self._remove_containers(after)
                self._remove_images(after)
            finally:
                self._remove_folder()
                self.progress.clear()
        for warning in self.warnings:
            print(f"dfslim: warning: {warning}", file=sys.stderr)

    def _remove_folder(self) -> None:
        """The run's folder, unless something is still mounted in it (a stopped build's
        root filesystem): removing it would reach into the mounted tree."""
        mounted = mounts_below(self.folder)
        if mounted:
            self.warnings.append(f"left {self.folder} in place: {mounted[0]} is still mounted")
            return
        shutil.rmtree(self.folder, ignore_errors=True)

    def _quiet(self, command: list[str]) -> tuple[bool, str]:
        """Run a clean-up command: (whether it worked, its last line)."""
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=HOUSEKEEPING_SECONDS, start_new_session=True)
        except (OSError, subprocess.TimeoutExpired) as error:
            return False, str(error)
        said = (done.stderr or done.stdout).strip().splitlines()
        return done.returncode == 0, said[-1] if said else ""

    def _ours(self, after: set[str] | None) -> list[str]:
        """The untagged images the builds made, newest first."""
        if self.images_before is None or after is None:
            return []
        tagged = {image for image in self.tags.values() if image}
        return [image for image in made_by_build(self.printed, self.images_before, after) if image not in tagged]

    def _remove_images(self, after: set[str] | None) -> None:
        before = self.images_before or set()
        for tag, image in self.tags.items():
            if image is None:  # the build failed: a tag may still have been given
                self._quiet(self.builder.remove_image(tag))
                continue
            removed, why = self._quiet(self.builder.untag(image, tag) if image in before else self.builder.remove_image(tag))
            if not removed:
                self.warnings.append(f"could not remove the image {tag}: {why}")
        pending = self._ours(after)
        for _attempt in range(3):  # a parent goes once its children have
            pending = [image for image in pending if not self._quiet(self.builder.remove_image(image))[0]]
            # removing an image may remove its untagged parents with it
            left = self._listing(self.builder.images(), parse_ids)
            pending = [image for image in pending if left is None or image in left]
            if not pending:
                return
        self.warnings.append(f"could not remove {len(pending)} intermediate image(s) of the builds: {', '.join(i[:12] for i in pending)}")

    def _remove_containers(self, after: set[str] | None) -> None:
        """After a stopped build: the build containers it left on our images or on
        images that were there before (its base)."""
        command = self.builder.containers()
        if command is None or self.containers_before is None:
            return
        now = self._listing(command, parse_containers) or {}
        images = set(self.images_before or ()) | set(made_by_build(self.printed, self.images_before or set(), after or set()))
        for container, (image, name) in now.items():
            if container in self.containers_before or image not in images or not is_build_container(name):
                continue
            removed, why = self._quiet(self.builder.remove_container(container))
            if not removed:
                self.warnings.append(f"could not remove the build container {name or container[:12]}: {why}")


def mounts_below(folder: str, table: str = "/proc/self/mounts") -> list[str]:
    """The mount points under `folder` (none where the table cannot be read)."""
    prefix = os.path.realpath(folder) + os.sep
    try:
        with open(table, encoding="utf-8", errors="replace") as handle:
            points = [line.split()[1] for line in handle if len(line.split()) > 1]
    except OSError:
        return []
    # the table writes a space in a path as \040
    return [point for point in (p.replace("\\040", " ") for p in points) if point.startswith(prefix)]


def _ignored(_signum, _frame) -> None:
    pass


@contextlib.contextmanager
def _signals_held():
    """Let Ctrl-C and SIGTERM pass during the clean-up (each of its commands has a time
    limit). A handler that does nothing, not SIG_IGN: the commands would inherit that."""
    try:
        saved = {sig: signal.signal(sig, _ignored) for sig in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: signals go elsewhere anyway
        saved = {}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


LABELS = {"before": "as it is", "after": "with the fixes"}


def _last_error(tail: Sequence[str]) -> str:
    """`: <the builder's last error line>` when it printed one."""
    for line in reversed(tail):
        text = line.strip()
        if text.lower().startswith("error") or (text.startswith("#") and "ERROR" in text):
            return f": {text[:300]}"
    for line in reversed(tail):
        if line.strip():
            return f": {line.strip()[:300]}"
    return ""
