"""Read an image that `docker save`, `podman save` or `buildah push docker-archive:` wrote:
its history and, for each layer, its size and what it holds (with the stdlib `tarfile`).

Both archive layouts are read: the Docker one (`manifest.json` naming the config and the
layer tarballs) and the OCI one (`index.json`, blobs by digest), which `docker save`
writes since Docker 25 beside a `manifest.json`. A layer's size is the length of its
uncompressed tar stream, the figure `podman history` and `docker history` show.
"""

from __future__ import annotations

import json
import posixpath
import tarfile
from typing import IO, NamedTuple

FILE, DIRECTORY, OTHER, WHITEOUT, OPAQUE = "file", "dir", "other", "whiteout", "opaque"
WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
OCI_INDEX_TYPES = ("application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json")


class ArchiveError(Exception):
    """An archive dfslim cannot read; the message is one line."""


class Entry(NamedTuple):
    """One member of a layer tarball. A whiteout names the path it deletes; an opaque
    marker names the folder whose lower contents it hides."""

    path: str  # without a leading `./` or `/`, nor a trailing `/`
    kind: str  # FILE, DIRECTORY, OTHER (links, devices), WHITEOUT, OPAQUE
    size: int = 0  # bytes of a regular file, else 0


class Layer(NamedTuple):
    bytes: int  # the uncompressed tar stream
    entries: tuple[Entry, ...]


class HistoryStep(NamedTuple):
    """One entry of the image's history: the instruction that made it and its layer."""

    created_by: str
    layer: int | None  # index into `Image.layers`; None for an entry without a layer


class Image(NamedTuple):
    history: tuple[HistoryStep, ...]
    layers: tuple[Layer, ...]

    @property
    def bytes(self) -> int:
        return sum(layer.bytes for layer in self.layers)

    def step_bytes(self, step: HistoryStep) -> int:
        return 0 if step.layer is None else self.layers[step.layer].bytes


def entry_of(member: tarfile.TarInfo) -> Entry | None:
    """What a layer member means for the image's file tree (None for the root itself or
    the aufs bookkeeping files some layers carry)."""
    path = member.name
    while path.startswith(("./", "/")):
        path = path[2:] if path.startswith("./") else path[1:]
    path = path.rstrip("/")
    if path in ("", "."):
        return None
    folder, name = posixpath.split(path)
    if name == OPAQUE_MARKER:
        return Entry(folder, OPAQUE)
    if name.startswith(WHITEOUT_PREFIX + WHITEOUT_PREFIX):
        return None  # .wh..wh.plnk and the like: aufs's own files
    if name.startswith(WHITEOUT_PREFIX):
        return Entry(posixpath.join(folder, name[len(WHITEOUT_PREFIX) :]), WHITEOUT)
    if member.isdir():
        return Entry(path, DIRECTORY)
    if member.isreg():
        return Entry(path, FILE, member.size)
    return Entry(path, OTHER)


class _Counter:
    """A read-only stream that counts the bytes read through it."""

    def __init__(self, stream: IO[bytes]):
        self.stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.count += len(data)
        return data

    def drain(self) -> None:
        while self.read(1 << 20):
            pass


def _decompressed(stream: IO[bytes]) -> IO[bytes]:
    """The layer's tar stream, decompressed when the archive stores it compressed."""
    head = stream.peek(4)[:4] if hasattr(stream, "peek") else b""
    if head.startswith(GZIP_MAGIC):
        import gzip

        return gzip.GzipFile(fileobj=stream)
    if head == ZSTD_MAGIC:
        try:
            from compression import zstd  # Python 3.14
        except ImportError:
            raise ArchiveError("a layer is compressed with zstd, which this Python cannot read (3.14 can)") from None
        return zstd.ZstdFile(stream)
    return stream


def read_layer(stream: IO[bytes]) -> Layer:
    """A layer's size and entries, read once from its (possibly compressed) tarball."""
    counter = _Counter(_decompressed(stream))
    entries = []
    try:
        with tarfile.open(fileobj=counter, mode="r|") as layer:
            for member in layer:
                entry = entry_of(member)
                if entry is not None:
                    entries.append(entry)
        counter.drain()
    except (tarfile.TarError, OSError, EOFError) as error:
        raise ArchiveError(f"a layer is not a readable tarball ({error})") from None
    return Layer(counter.count, tuple(entries))


def history_steps(config: dict, layer_count: int) -> tuple[HistoryStep, ...]:
    """The config's history, each entry with the index of the layer it made (entries
    marked `empty_layer` made none). An image without history gets one step per layer."""
    history = config.get("history") or []
    if not history:
        return tuple(HistoryStep("", index) for index in range(layer_count))
    steps, layer = [], 0
    for entry in history:
        if entry.get("empty_layer"):
            steps.append(HistoryStep(entry.get("created_by", ""), None))
        else:
            steps.append(HistoryStep(entry.get("created_by", ""), layer if layer < layer_count else None))
            layer += 1
    return tuple(steps)


def read_image(path: str) -> Image:
    """The history and layers of the image in the archive at `path`."""
    try:
        with tarfile.open(path) as archive:
            config_name, layer_names = _manifest(archive)
            config = _json(archive, config_name)
            layers = tuple(read_layer(_member(archive, name)) for name in layer_names)
    except (tarfile.TarError, OSError) as error:
        raise ArchiveError(f"the exported image cannot be read ({error})") from None
    return Image(history_steps(config, len(layers)), layers)


def _manifest(archive: tarfile.TarFile) -> tuple[str, list[str]]:
    """(config member, layer members) from manifest.json, else from the OCI index."""
    names = set(archive.getnames())
    if "manifest.json" in names:
        manifest = _json(archive, "manifest.json")
        if not manifest:
            raise ArchiveError("the exported image's manifest.json is empty")
        return manifest[0]["Config"], list(manifest[0]["Layers"])
    if "index.json" not in names:
        raise ArchiveError("the export holds neither manifest.json nor index.json")
    document = _json(archive, "index.json")
    while document.get("mediaType") in OCI_INDEX_TYPES or "manifests" in document:
        if not document.get("manifests"):
            raise ArchiveError("the exported image's index lists no manifest")
        document = _json(archive, _blob(document["manifests"][0]["digest"]))
    return _blob(document["config"]["digest"]), [_blob(layer["digest"]) for layer in document["layers"]]


def _blob(digest: str) -> str:
    algorithm, _, value = digest.partition(":")
    return f"blobs/{algorithm}/{value}"


def _member(archive: tarfile.TarFile, name: str) -> IO[bytes]:
    try:
        stream = archive.extractfile(name)
    except KeyError:
        stream = None
    if stream is None:
        raise ArchiveError(f"the exported image lacks {name}")
    return stream


def _json(archive: tarfile.TarFile, name: str):
    try:
        return json.load(_member(archive, name))
    except ValueError as error:
        raise ArchiveError(f"{name} in the exported image is not JSON ({error})") from None
