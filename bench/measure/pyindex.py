"""A local HTTPS package index (PEP 503 simple API) that sends caching headers.

pip stores an HTTP response in its cache only when the server allows it. The index
serves a folder of wheels over TLS with a certificate from a throw-away CA, and sends
on every file the long-lived public caching headers a CDN sends for immutable files, so
that a `pip install` inside a build leaves in `~/.cache/pip` what it would leave when
installing from the public index.
"""

from __future__ import annotations

import hashlib
import html
import re
import ssl
import subprocess
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FILE_CACHE_CONTROL = "max-age=365000000, immutable, public"
PAGE_CACHE_CONTROL = "max-age=600, public"


def project_of(filename: str) -> str:
    """The normalised project name of a wheel or sdist file name."""
    stem = filename.split("-", 1)[0] if filename.endswith(".whl") else re.sub(r"-[0-9].*$", "", filename)
    return re.sub(r"[-_.]+", "-", stem).lower()


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate, server key) for 127.0.0.1 and localhost, made
    with openssl once and kept in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca_crt = folder / "ca.key", folder / "ca.crt"
    key, csr, crt = folder / "server.key", folder / "server.csr", folder / "server.crt"
    if crt.exists() and ca_crt.exists():
        return ca_crt, crt, key
    run = partial(subprocess.run, check=True, capture_output=True)
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj",
         "/CN=dfslim-measure local CA", "-keyout", str(ca_key), "-out", str(ca_crt)])
    run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
         "-keyout", str(key), "-out", str(csr)])
    extensions = folder / "san.ext"
    extensions.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n", encoding="ascii")
    run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key),
         "-CAcreateserial", "-days", "30", "-extfile", str(extensions), "-out", str(crt)])
    return ca_crt, crt, key


class _Index:
    def __init__(self, wheels: Path):
        self.files: dict[str, Path] = {}
        self.projects: dict[str, list[str]] = {}
        self.digests: dict[str, str] = {}
        for path in sorted(wheels.iterdir()):
            if path.suffix in (".whl", ".gz", ".zip"):
                self.files[path.name] = path
                self.projects.setdefault(project_of(path.name), []).append(path.name)
                self.digests[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()


def _handler(index: _Index):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # the harness prints its own progress
            pass

        def do_GET(self):  # noqa: N802 (the http.server interface)
            path = self.path.split("?", 1)[0]
            if path in ("/simple", "/simple/"):
                links = "".join(f'<a href="/simple/{p}/">{p}</a>\n' for p in sorted(index.projects))
                return self._page(links)
            match = re.fullmatch(r"/simple/([^/]+)/?", path)
            if match:
                names = index.projects.get(re.sub(r"[-_.]+", "-", match.group(1)).lower())
                if names is None:
                    return self._missing()
                links = "".join(
                    f'<a href="/files/{html.escape(n)}#sha256={index.digests[n]}">{html.escape(n)}</a>\n' for n in names
                )
                return self._page(links)
            match = re.fullmatch(r"/files/([^/]+)", path)
            if match and match.group(1) in index.files:
                return self._file(index.files[match.group(1)], index.digests[match.group(1)])
            return self._missing()

        def _page(self, body: str):
            data = f"<!DOCTYPE html><html><body>\n{body}</body></html>\n".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", PAGE_CACHE_CONTROL)
            self.end_headers()
            self.wfile.write(data)

        def _file(self, path: Path, digest: str):
            data = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", FILE_CACHE_CONTROL)
            self.send_header("ETag", f'"{digest}"')
            self.end_headers()
            self.wfile.write(data)

        def _missing(self):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


class LocalIndex:
    """`with LocalIndex(wheels, certs, port) as url:` serves `wheels` at `url` (…/simple/)."""

    def __init__(self, wheels: Path, certificates: Path, port: int):
        self.wheels, self.certificates, self.port = wheels, certificates, port
        self.server = None

    def __enter__(self) -> str:
        _ca, crt, key = make_certificates(self.certificates)
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(_Index(self.wheels)))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(crt, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"https://127.0.0.1:{self.port}/simple/"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
