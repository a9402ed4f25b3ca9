"""A small HTTP server for a directory of pages: the offline demo site and test sites.

Serves files with ETag/Last-Modified and answers conditional requests with 304,
like a real blog host. ``{{BASE_URL}}`` in a served page is replaced by the
site's address, so pages can link to each other absolutely.

With ``virtual_host``, the server also answers as an HTTP proxy for that host name:
a crawler pointed at it (``http_proxy``) sees stable URLs such as
``http://demo.blogarchive.localhost/...`` whatever free port the server got, so two
demo runs crawl the same URLs.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

PLACEHOLDER = b"{{BASE_URL}}"


class SiteHandler(BaseHTTPRequestHandler):
    """Serves ``server.root``; ``/dir/`` serves ``dir/index.html``."""

    server: SiteServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        if self.server.verbose:
            super().log_message(format, *args)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self.do_GET(head=True)

    def resolve(self, path: str) -> Path | None:
        relative = unquote(path).lstrip("/")
        target = (self.server.root / relative).resolve()
        if not target.is_relative_to(self.server.root):
            return None
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            alternative = target.with_name(target.name + ".html")
            return alternative if alternative.is_file() else None
        return target

    def content_type(self, target: Path) -> str:
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html":
            return "text/html"  # pages declare their charset in <meta>
        if kind.startswith("text/") or kind.endswith(("xml", "json")):
            return f"{kind}; charset=utf-8"
        return kind

    def do_GET(self, head: bool = False) -> None:  # noqa: N802 - stdlib naming
        self.server.requests.append(self.path)
        target = self.resolve(urlsplit(self.path).path)
        if target is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        body = target.read_bytes().replace(PLACEHOLDER, self.server.base_url.encode("ascii"))
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        mtime = target.stat().st_mtime
        if self.headers.get("If-None-Match") == etag or self._not_modified_since(mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", self.content_type(target))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _not_modified_since(self, mtime: float) -> bool:
        since = self.headers.get("If-Modified-Since")
        if not since or self.headers.get("If-None-Match"):
            return False
        try:
            return int(mtime) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False


class SiteServer(ThreadingHTTPServer):
    """Serve ``root`` on 127.0.0.1 (a free port unless ``port`` is given)."""

    daemon_threads = True

    def __init__(self, root: str | Path, port: int = 0, handler: type[SiteHandler] = SiteHandler,
                 verbose: bool = False, virtual_host: str | None = None) -> None:
        super().__init__(("127.0.0.1", port), handler)
        self.virtual_host = virtual_host
        self.root = Path(root).resolve()
        self.verbose = verbose
        self.requests: list[str] = []
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        """Where the server listens: ``http://127.0.0.1:PORT``."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        """The site's address: the virtual host when there is one, else :attr:`address`."""
        return f"http://{self.virtual_host}" if self.virtual_host else self.address

    def url(self, path: str = "/") -> str:
        return self.base_url + "/" + path.lstrip("/")

    def start(self) -> SiteServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self.serve_forever, name="siteserver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def demo_site_root() -> Path:
    """The bundled demo site (written for the project, in several platforms' styles)."""
    return Path(__file__).parent / "demo_site"
