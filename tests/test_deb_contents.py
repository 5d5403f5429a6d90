"""The generator's reading of package files (bench/measure/deb_contents.py): which files a
-slim image leaves out, and what configuring ca-certificates writes, on .deb archives
built here in memory."""

from __future__ import annotations

import io
import lzma
import sys
import tarfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "measure"))
try:
    import deb_contents
finally:
    sys.path.pop(0)


def _deb(files: dict[str, bytes], links: dict[str, str] = {}) -> bytes:  # noqa: B006 - read only
    """A .deb: `ar` with debian-binary, control.tar.xz and data.tar.xz holding `files`."""
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        for path in sorted({str(Path(p).parent) for p in list(files) + list(links)}):
            tar.addfile(_dir("." + path))
        for path, body in files.items():
            info = tarfile.TarInfo("." + path)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
        for path, target in links.items():
            info = tarfile.TarInfo("." + path)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    members = [("debian-binary", b"2.0\n"), ("control.tar.xz", lzma.compress(b"")), ("data.tar.xz", lzma.compress(data.getvalue()))]
    out = io.BytesIO()
    out.write(b"!<arch>\n")
    for name, body in members:
        out.write(f"{name:<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(body):<10}`\n".encode())
        out.write(body + (b"\n" if len(body) % 2 else b""))
    return out.getvalue()


def _dir(name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    return info


@pytest.mark.parametrize(("path", "dropped"), [
    ("/usr/share/doc/curl/changelog.Debian.gz", True),
    ("/usr/share/doc/curl/copyright", False),  # kept: licences stay
    ("/usr/share/man/man1/curl.1.gz", True),
    ("/usr/share/locale/de/LC_MESSAGES/wget.mo", True),
    ("/usr/share/locale/locale.alias", False),
    ("/usr/bin/curl", False),
    ("/usr/share/lintian/overrides/curl", True),
])
def test_what_a_slim_image_leaves_out(path, dropped):
    assert deb_contents.slim_dropped(path) is dropped


def test_dropped_kib_count_as_installed_size_does():
    deb = _deb({"/usr/bin/tool": b"x" * 5000, "/usr/share/man/man1/tool.1.gz": b"m" * 1500,
                "/usr/share/doc/tool/changelog.gz": b"c" * 10, "/usr/share/doc/tool/copyright": b"l" * 3000},
               {"/usr/share/man/man1/tool-alias.1.gz": "tool.1.gz"})
    # 2 KiB for the manual page, 1 for the changelog, 1 for the link; the copyright stays
    assert deb_contents.contents("tool", deb) == (4, 0)


def test_ca_certificates_configuration_writes_the_bundle_and_links():
    certificates = {f"/usr/share/ca-certificates/mozilla/CA_{n}.crt": b"c" * 1000 for n in range(3)}
    deb = _deb({**certificates, "/usr/sbin/update-ca-certificates": b"#!/bin/sh\n"})
    # one 3,000-byte bundle (a header and 6 blocks) and two links per certificate, a header each
    expected_bytes = 512 + 3072 + 6 * 512
    assert deb_contents.contents("ca-certificates", deb) == (0, -(-expected_bytes // 1024))
    assert deb_contents.contents("other", deb)[1] == 0


def test_a_file_that_is_no_deb_is_refused():
    with pytest.raises(ValueError):
        deb_contents.contents("x", b"not an archive")
