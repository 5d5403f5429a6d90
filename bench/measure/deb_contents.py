"""What a Debian package's own files say about the bytes it puts in a layer, beyond its
Installed-Size: the KiB a `-slim` image's dpkg path excludes leave out, and the KiB its
maintainer scripts write when it is configured.

Read from the package files themselves (the `.deb` in the pool, an `ar` archive whose
`data.tar.*` member lists every file with its size). Used by `gen_debian_packages.py`.
"""

from __future__ import annotations

import fnmatch
import io
import json
import lzma
import math
import sys
import tarfile
import urllib.request
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bases as base_defs

KIB = 1024
TAR_BLOCK = 512


def slim_dropped(path: str) -> bool:
    """Whether dpkg leaves `path` out of a -slim image: it matches an exclude and no later
    include (dpkg's fnmatch without FNM_PATHNAME: `*` crosses `/`)."""
    return (any(fnmatch.fnmatchcase(path, p) for p in base_defs.SLIM_EXCLUDES)
            and not any(fnmatch.fnmatchcase(path, p) for p in base_defs.SLIM_INCLUDES))


def installed_kib(member: tarfile.TarInfo) -> int:
    """A file's share of Installed-Size as dpkg-gencontrol counts it: a regular file its
    size in KiB rounded up, anything else 1 KiB."""
    return math.ceil(member.size / KIB) if member.isreg() else 1


def _data_tar(deb: bytes) -> tarfile.TarFile:
    """The data.tar member of a .deb (an `ar` archive), opened for streaming."""
    if not deb.startswith(b"!<arch>\n"):
        raise ValueError("not a .deb")
    offset = 8
    while offset < len(deb):
        header = deb[offset:offset + 60]
        name, size = header[:16].decode().strip().rstrip("/"), int(header[48:58].decode().strip())
        body = deb[offset + 60:offset + 60 + size]
        if name.startswith("data.tar"):
            if name.endswith(".xz"):
                body = lzma.decompress(body)
            elif name.endswith(".gz"):
                body = zlib.decompress(body, 31)
            elif name.endswith(".zst"):
                raise ValueError("zstd data.tar: not read")
            return tarfile.open(fileobj=io.BytesIO(body), mode="r:")
        offset += 60 + size + (size & 1)
    raise ValueError("no data.tar member")


def ca_bundle_bytes(members: list[tarfile.TarInfo]) -> int:
    """What ca-certificates' postinst (update-ca-certificates) writes into
    /etc/ssl/certs: every certificate it ships concatenated into ca-certificates.crt, and a
    link by name and one by subject hash for each, counted as a layer stores them (a
    512-byte header per entry, contents padded to 512 bytes)."""
    certificates = [m for m in members if m.isreg() and m.name.startswith("./usr/share/ca-certificates/")
                    and m.name.endswith(".crt")]
    bundle = sum(m.size for m in certificates)
    return TAR_BLOCK + math.ceil(bundle / TAR_BLOCK) * TAR_BLOCK + 2 * len(certificates) * TAR_BLOCK


# package -> what its configuration writes besides its files, from its own files
CONFIGURE_WRITES = {"ca-certificates": ca_bundle_bytes}


def contents(name: str, deb: bytes) -> tuple[int, int]:
    """(KiB a -slim image leaves out, KiB its configuration writes) for one package."""
    with _data_tar(deb) as tar:
        members = tar.getmembers()
    dropped = sum(installed_kib(m) for m in members if not m.isdir() and slim_dropped(m.name[1:]))
    writes = CONFIGURE_WRITES.get(name)
    return dropped, math.ceil(writes(members) / KIB) if writes else 0


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=300) as response:
        return response.read()


def read_all(records: dict[str, dict], names, cache: Path, threads: int = 6) -> dict[str, tuple[int, int]]:
    """`contents` of each of `names` (records from the Packages files, with Filename and
    the `_mirror` they came from),
    downloading each .deb once: results are kept in `cache` (a JSON file keyed by pool
    file name, so a new version is read again)."""
    known = json.loads(cache.read_text(encoding="utf-8")) if cache.exists() else {}
    wanted = {name: records[name]["Filename"] for name in names if records[name].get("Filename")}
    todo = sorted({f for f in wanted.values() if f not in known})

    mirrors = {records[name]["Filename"]: records[name]["_mirror"] for name in wanted}

    def one(filename: str):
        name = filename.rsplit("/", 1)[-1].split("_", 1)[0]
        urls = [f"{mirrors[filename]}/{filename}"]
        if filename.startswith("pool/updates/"):  # a security update a point release took in
            urls.append(f"{base_defs.MIRROR}/pool/{filename[len('pool/updates/'):]}")
        for url in urls:
            try:
                return filename, list(contents(name, _fetch(url)))
            except Exception as error:  # noqa: BLE001 - one unreadable package is reported, not fatal
                failed = error
        print(f"    {filename}: {failed}", file=sys.stderr)
        return filename, None

    with ThreadPoolExecutor(threads) as pool:
        for done, (filename, found) in enumerate(pool.map(one, todo), 1):
            if found is not None:
                known[filename] = found
            if done % 200 == 0 or done == len(todo):
                print(f"    {done}/{len(todo)} packages read", file=sys.stderr)
                cache.write_text(json.dumps(known, sort_keys=True), encoding="utf-8")
    return {name: tuple(known[f]) for name, f in wanted.items() if f in known}
