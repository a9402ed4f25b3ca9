"""The test site: the bundled demo pages plus named failure routes.

Run as ``python -m tests.mocksite`` (Scrapy's mock-server pattern): it listens on a
free 127.0.0.1 port and prints its address on the first line of stdout.

Routes besides the demo pages:

- ``/status/<code>``: answers with that status
- ``/flaky/<name>``: 500 on the first request, the article on the next ones
- ``/slow429/<name>``: 429 with ``Retry-After: 1`` on the first request
- ``/gbk-mislabelled``: a GBK article served with ``charset=utf-8``
- ``/binary``: random bytes served as text/html
- ``/empty``: an empty 200 page
- ``/redirect-away``: a redirect to another host (``localhost`` instead of 127.0.0.1)
- ``/robots-disallowed/...``: disallowed by robots.txt
- ``/-/requests``: the list of paths requested so far (JSON), ``/-/reset`` clears it
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from http import HTTPStatus
from urllib.parse import urlsplit

from blogarchive.siteserver import SiteHandler, SiteServer, demo_site_root

GBK_ARTICLE = """<!DOCTYPE html><html><head><meta charset="gbk"><title>编码测试：腌笃鲜的做法</title>
<meta property="og:type" content="article"></head><body><article><h1>编码测试：腌笃鲜的做法</h1>
<p>腌笃鲜是江南的春季家常菜，用咸肉、鲜肉和春笋一起小火慢炖，汤色奶白，味道鲜美。</p>
<p>做法并不复杂，难的是火候：先大火烧开，再转小火笃上一个多小时，让咸肉的香味慢慢融进汤里。</p>
</article></body></html>"""

ARTICLE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:type" content="article"></head><body><article><h1>{title}</h1>
<p>This page was served after the server {story}. It holds enough words to be an article
body: the crawler must archive it once the temporary failure is over, and record nothing
as lost.</p><p>A second paragraph keeps the extractor honest about paragraph breaks.</p>
</article></body></html>"""


class MockSiteHandler(SiteHandler):
    hits: Counter[str] = Counter()

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self, head: bool = False) -> None:  # noqa: N802 - stdlib naming
        path = urlsplit(self.path).path
        self.hits[path] += 1
        count = self.hits[path]
        if path == "/-/requests":
            self._send(200, json.dumps(self.server.requests).encode(), "application/json")
            return
        if path == "/-/reset":
            self.server.requests.clear()
            self._send(200, b"ok", "text/plain")
            return
        if path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            self.server.requests.append(self.path)
            self._send(code, f"status {code}".encode())
            return
        if path.startswith("/flaky/"):
            self.server.requests.append(self.path)
            if count == 1:
                self._send(500, b"temporary failure")
            else:
                body = ARTICLE.format(title="Flaky page recovered", story="failed once with a 500")
                self._send(200, body.encode())
            return
        if path.startswith("/slow429/"):
            self.server.requests.append(self.path)
            if count == 1:
                self._send(429, b"slow down", headers={"Retry-After": "1"})
            else:
                body = ARTICLE.format(title="Rate limited page recovered", story="asked us to slow down")
                self._send(200, body.encode())
            return
        if path == "/gbk-mislabelled":
            self.server.requests.append(self.path)
            self._send(200, GBK_ARTICLE.encode("gbk"))
            return
        if path == "/binary":
            self.server.requests.append(self.path)
            self._send(200, os.urandom(4096), "text/html")
            return
        if path == "/empty":
            self.server.requests.append(self.path)
            self._send(200, b"", "text/html")
            return
        if path == "/redirect-away":
            self.server.requests.append(self.path)
            port = self.server.server_address[1]
            location = f"http://localhost:{port}/jianshu/p/7d3c1a9e5b20"
            self._send(HTTPStatus.MOVED_PERMANENTLY, b"", headers={"Location": location})
            return
        super().do_GET(head=head)


def main() -> None:
    server = SiteServer(demo_site_root(), handler=MockSiteHandler)
    print(server.base_url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
