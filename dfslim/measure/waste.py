"""Cross-layer waste: bytes of files that a later layer deletes or overwrites.

Layers only add. A file a later layer deletes (a whiteout, `.wh.NAME`, or an opaque
folder, `.wh..wh..opq`) or writes again (`chown -R` and `chmod -R` copy every file they
touch) stays in the layer that first wrote it: its bytes are downloaded and stored, and
no container sees them. This is what dive calls wasted space; dive also counts the copy
that stays visible, this counts only the bytes nobody can see.

The layers are stacked bottom first into a tree of folders (dicts) and files
(`(layer, size)`), and each hidden file is charged to the pair (the layer that wrote it,
the layer that hid it).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import NamedTuple

from dfslim.measure.archive import DIRECTORY, OPAQUE, WHITEOUT, Entry

LARGEST_KEPT = 5  # the biggest hidden files named per (writer, hider) pair


class Waste(NamedTuple):
    """Bytes that layer `writer` holds and layer `hider` hides."""

    writer: int
    hider: int
    bytes: int
    files: int
    largest: tuple[tuple[str, int], ...]  # (path, bytes), biggest first


class _Tally:
    def __init__(self):
        self.pairs: dict[tuple[int, int], list] = {}  # (writer, hider) -> [bytes, files, heap]

    def hide(self, writer: int, hider: int, path: str, size: int) -> None:
        record = self.pairs.setdefault((writer, hider), [0, 0, []])
        record[0] += size
        record[1] += 1
        if len(record[2]) < LARGEST_KEPT:
            heapq.heappush(record[2], (size, path))
        elif size > record[2][0][0]:
            heapq.heapreplace(record[2], (size, path))

    def results(self) -> list[Waste]:
        found = [
            Waste(writer, hider, total, files, tuple((path, size) for size, path in sorted(heap, reverse=True)))
            for (writer, hider), (total, files, heap) in self.pairs.items()
        ]
        return sorted(found, key=lambda waste: (-waste.bytes, waste.writer, waste.hider))


def _hide_tree(node, hider: int, path: str, tally: _Tally) -> None:
    """Charge every file under `node` (a folder dict or a file tuple) to `hider`."""
    if isinstance(node, tuple):
        tally.hide(node[0], hider, path, node[1])
        return
    for name, child in node.items():
        _hide_tree(child, hider, f"{path}/{name}" if path else name, tally)


def _folder(root: dict, parts: list[str], layer: int, tally: _Tally) -> dict:
    """The folder at `parts`, made where missing; a file in the way is hidden."""
    node = root
    walked = []
    for part in parts:
        walked.append(part)
        child = node.get(part)
        if not isinstance(child, dict):
            if child is not None:
                _hide_tree(child, layer, "/".join(walked), tally)
            child = node[part] = {}
        node = child
    return node


def _lookup(root: dict, parts: list[str]) -> dict | None:
    """The folder at `parts` if there is one (nothing is made)."""
    node = root
    for part in parts:
        node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            return None
    return node


def _delete(root: dict, path: str, layer: int, tally: _Tally) -> None:
    parts = path.split("/")
    parent = _lookup(root, parts[:-1])
    if parent is not None and parts[-1] in parent:
        _hide_tree(parent.pop(parts[-1]), layer, path, tally)


def _empty(root: dict, path: str, layer: int, tally: _Tally) -> None:
    folder = _lookup(root, path.split("/")) if path else root
    if folder:
        for name in list(folder):
            _hide_tree(folder.pop(name), layer, f"{path}/{name}" if path else name, tally)


def _add(root: dict, entry: Entry, layer: int, tally: _Tally) -> None:
    parts = entry.path.split("/")
    parent = _folder(root, parts[:-1], layer, tally)
    name, existing = parts[-1], parent.get(parts[-1])
    if entry.kind == DIRECTORY:
        if not isinstance(existing, dict):
            if existing is not None:
                _hide_tree(existing, layer, entry.path, tally)
            parent[name] = {}
        return
    if existing is not None:
        _hide_tree(existing, layer, entry.path, tally)
    parent[name] = (layer, entry.size)


def cross_layer_waste(layers: Sequence[Sequence[Entry]]) -> list[Waste]:
    """What each layer hides of the layers below it, by (writer, hider), biggest first.
    Within a layer its deletions apply first, to the layers below, then its files."""
    root: dict = {}
    tally = _Tally()
    for index, entries in enumerate(layers):
        for entry in entries:
            if entry.kind == WHITEOUT:
                _delete(root, entry.path, index, tally)
            elif entry.kind == OPAQUE:
                _empty(root, entry.path, index, tally)
        for entry in entries:
            if entry.kind not in (WHITEOUT, OPAQUE):
                _add(root, entry, index, tally)
    return tally.results()
