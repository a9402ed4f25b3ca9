"""The test site: the bundled demo pages plus named failure routes.

Run as ``python -m tests.mocksite`` (Scrapy's mock-server pattern): it listens on a
free 127.0.0.1 port and prints its address on the first line of stdout.

Routes besides the demo pages:

- ``/status/<code>``: answers with that status
- ``/flaky/<name>``: 500 on the first request, the article on the next ones
- ``/slow429/<name>``: 429 with ``Retry-After: 1`` on the first request
  (``/slow429-minute/<name>``: ``Retry-After: 60``)
- ``/large``: an article of about 2 MB
- ``/user-agent``: an article whose title is the request's User-Agent
- ``/gbk-mislabelled``: a GBK article served with ``charset=utf-8``
- ``/binary``: random bytes served as text/html
- ``/empty``: an empty 200 page
- ``/redirect-away``: a redirect to another host (``localhost`` instead of 127.0.0.1)
- ``/cookie-wall``: without the cookie ``seen=1``, a redirect to itself that sets it;
  with it, a demo article
- ``/redirect-loop``: a redirect to itself, always
- ``/moved``: a page whose ``<meta http-equiv="refresh">`` sends to a demo article
- ``/robots-disallowed/...``: disallowed by robots.txt
- ``/private/...``: disallowed by the demo site's robots.txt
- ``/blocked/<kind>``: interstitials (``cloudflare`` 403, ``jschallenge`` 521,
  ``wechat`` 200 环境异常, ``login`` 200 login wall, ``captcha`` 200)
- ``/sites/<platform>/...``: the platform fixture sites of ``tests/fixtures/sites``;
  a paging parameter (``page``, ``offset``, ``start-index``, or a POSTed JSON
  ``cursor``) selects ``<path>/<name>-<value>.<ext>``; a WordPress API directory
  answers with ``X-WP-Total`` / ``X-WP-TotalPages``; the zhihu API wants a cookie
- ``/many/``: a listing of 24 generated articles (``/many/p/<n>``), each served after
  0.15 s (for the kill -9 test)
- ``/real/<name>/...``: a real listing from ``../shared/fixtures/listings`` (by its
  MANIFEST URL, its origin rewritten to this server); any other path there is a
  real article page of that platform from ``../shared/fixtures/pages``
- ``/-/requests``: the list of paths requested so far (JSON), ``/-/reset`` clears it;
  ``/-/conditional``: the paths requested with If-None-Match/If-Modified-Since
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import sys
import time
import zlib
from collections import Counter
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from blogarchive.siteserver import SiteHandler, SiteServer, demo_site_root

SITES = Path(__file__).parent / "fixtures" / "sites"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
PAGING_KEYS = ("page", "offset", "start-index", "cursor")
EXTENSIONS = (".html", ".json", ".xml")

BLOCKED = {
    "cloudflare": (403, "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
               "<div id='cf-chl-widget'>Checking your browser before accessing the site.</div>"
               "<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1'></script></body></html>",
               {"cf-mitigated": "challenge"}),
    "jschallenge": (521, "<html><body><script>document.cookie='__jsl_clearance_s=1716;max-age=3600;path=/';"
                    "location.href=location.pathname+location.search</script></body></html>", {}),
    "wechat": (200, "<!DOCTYPE html><html><head><meta charset='utf-8'><title>环境异常</title></head><body>"
               "<div class='weui-msg'><h2>环境异常</h2><p>当前环境异常，完成验证后即可继续访问。</p>"
               "<a href='#'>去验证</a></div></body></html>", {}),
    "login": (200, "<!DOCTYPE html><html><head><meta charset='utf-8'><title>登录</title>"
              "<meta property='og:type' content='article'></head><body><div class='login-wall'>"
              "<p>请登录后查看完整内容。</p><form><input name='phone'></form></div></body></html>", {}),
    "captcha": (200, "<!DOCTYPE html><html><head><meta charset='utf-8'><title>安全验证</title></head><body>"
                "<p>请输入验证码以继续访问</p><img src='/captcha.png'></body></html>", {}),
}


def many_article(n: int) -> str:
    """A generated article with its own words, so no two of them look alike."""
    rng = random.Random(n)
    words = ["".join(rng.choice("abcdefghijklmnoprstuvwy") for _ in range(rng.randint(3, 9)))
             for _ in range(160)]
    paragraphs = "".join(f"<p>{' '.join(words[i:i + 40])}.</p>" for i in range(0, 160, 40))
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Generated article {n}</title>"
            f"<meta property='og:type' content='article'></head><body><article><h1>Generated article {n}</h1>"
            f"{paragraphs}</article></body></html>")


#: Absolute URLs in a real listing (also JSON-escaped ones); namespace URIs are left alone.
ABSOLUTE = re.compile(rb"(https?:)((?:\\?/){2})(?!www\.w3\.org|purl\.org|a9\.com|schemas\.|search\.yahoo|"
                      rb"www\.sitemaps\.org|www\.google\.com/schemas|wellformedweb|backend\.userland|"
                      rb"webns\.net|rssnamespace)([A-Za-z0-9.-]+\.[a-z]{2,})")


def real_listings() -> dict[str, Path]:
    """``/real/<platform>-<host>/<path>?<query>`` -> the listing file answering it."""
    manifest = SHARED / "listings" / "MANIFEST.tsv"
    if not manifest.is_file():
        return {}
    found = {}
    with manifest.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            parts = urlsplit(row["url"])
            prefix = f"/real/{row['platform']}-{parts.hostname}"
            key = prefix + parts.path + (f"?{parts.query}" if parts.query else "")
            found[key] = SHARED / "listings" / row["path"]
            page = parse_qs(parts.query).get("page")
            if page:  # a paged API: answer page=N whatever the other parameters
                found[f"{prefix}{parts.path}#page={page[0]}"] = found[key]
    return found

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
    extra_headers: dict[str, str] | None = None

    def end_headers(self) -> None:
        for name, value in (self.extra_headers or {}).items():
            self.send_header(name, value)
        self.extra_headers = None
        super().end_headers()

    def resolve(self, path: str) -> Path | None:
        if not path.startswith("/sites/"):
            return super().resolve(path)
        target = (SITES / path[len("/sites/"):].strip("/")).resolve()
        if not target.is_relative_to(SITES.resolve()):
            return None
        query = parse_qs(urlsplit(self.path).query)
        paging = [(k, query[k][0]) for k in PAGING_KEYS if k in query]
        if paging:
            key, value = paging[-1]
            candidates = [target / f"{key}-{value}{ext}" for ext in EXTENSIONS]
        else:
            candidates = [target, *(target / f"index{ext}" for ext in EXTENSIONS),
                          *(target.with_name(target.name + ext) for ext in EXTENSIONS)]
        found = next((c for c in candidates if c.is_file()), None)
        if found is not None and found.parent.name == "posts" and "wp-json" in found.parts:
            pages = sorted(found.parent.glob("page-*.json"))
            total = sum(len(json.loads(p.read_text(encoding="utf-8"))) for p in pages)
            self.extra_headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(len(pages))}
        return found

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        length = int(self.headers.get("Content-Length") or 0)
        try:
            cursor = json.loads(self.rfile.read(length) or b"{}").get("cursor", "0")
        except ValueError:
            cursor = "0"
        self.path = f"{urlsplit(self.path).path}?cursor={cursor}"
        self.do_GET()

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
            self.server.conditional.clear()
            self._send(200, b"ok", "text/plain")
            return
        if path == "/-/conditional":
            self._send(200, json.dumps(self.server.conditional).encode(), "application/json")
            return
        if self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"):
            self.server.conditional.append(self.path)
        if path.startswith("/blocked/"):
            self.server.requests.append(self.path)
            status, body, headers = BLOCKED[path.rsplit("/", 1)[1]]
            self._send(status, body.encode(), headers=headers)
            return
        if path.startswith("/sites/zhihu/api/") and "z_c0=" not in (self.headers.get("Cookie") or ""):
            self.server.requests.append(self.path)
            self._send(403, b'{"error": {"message": "login required"}}', "application/json")
            return
        if path in ("/many", "/many/"):
            self.server.requests.append(self.path)
            links = "".join(f"<li><a href='/many/p/{n}'>Generated article {n}</a></li>" for n in range(24))
            self._send(200, f"<!DOCTYPE html><html><body><ul>{links}</ul></body></html>".encode())
            return
        if path.startswith("/many/p/"):
            self.server.requests.append(self.path)
            time.sleep(0.15)
            self._send(200, many_article(int(path.rsplit("/", 1)[1])).encode())
            return
        if path.startswith("/real/"):
            self.server.requests.append(self.path)
            self._serve_real(path)
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
        if path.startswith(("/slow429/", "/slow429-minute/")):
            self.server.requests.append(self.path)
            if count == 1:
                wait = "60" if path.startswith("/slow429-minute/") else "1"
                self._send(429, b"slow down", headers={"Retry-After": wait})
            else:
                body = ARTICLE.format(title="Rate limited page recovered", story="asked us to slow down")
                self._send(200, body.encode())
            return
        if path == "/large":
            self.server.requests.append(self.path)
            filler = "<p>" + "a long page of words " * 50 + "</p>"
            body = ARTICLE.format(title="A very large page", story="sent two megabytes").replace(
                "</article>", filler * 2000 + "</article>")
            self._send(200, body.encode())
            return
        if path == "/user-agent":
            self.server.requests.append(self.path)
            agent = (self.headers.get("User-Agent") or "").replace("<", "&lt;")
            self._send(200, ARTICLE.format(title=agent, story="echoed the User-Agent").encode())
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
        if path == "/moved":
            self.server.requests.append(self.path)
            body = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Moved</title>"
                    "<meta http-equiv='Refresh' content='0; url=/jianshu/p/7d3c1a9e5b20'></head>"
                    "<body><p>This post has moved.</p></body></html>")
            self._send(200, body.encode())
            return
        if path == "/cookie-wall":
            self.server.requests.append(self.path)
            if "seen=1" not in (self.headers.get("Cookie") or ""):
                self._send(HTTPStatus.FOUND, b"", headers={"Location": "/cookie-wall", "Set-Cookie": "seen=1; Path=/"})
                return
            self._send(200, (demo_site_root() / "jianshu" / "p" / "7d3c1a9e5b20.html").read_bytes())
            return
        if path == "/redirect-loop":
            self.server.requests.append(self.path)
            self._send(HTTPStatus.FOUND, b"", headers={"Location": "/redirect-loop"})
            return
        if path == "/redirect-away":
            self.server.requests.append(self.path)
            port = self.server.server_address[1]
            location = f"http://localhost:{port}/jianshu/p/7d3c1a9e5b20"
            self._send(HTTPStatus.MOVED_PERMANENTLY, b"", headers={"Location": location})
            return
        super().do_GET(head=head)

    def _serve_real(self, path: str) -> None:
        platform = path.split("/")[2].split("-", 1)[0]
        page = parse_qs(urlsplit(self.path).query).get("page", ["1"])[0]
        listing = (self.server.real.get(self.path) or self.server.real.get(f"{path}#page={page}")
                   or self.server.real.get(path))
        if listing is not None:
            pages = sum(1 for key in self.server.real if key.startswith(f"{path}#page=")) or 1
            base = self.server.base_url

            def local(match: re.Match[bytes]) -> bytes:
                slash = match.group(2)
                return base.encode().replace(b"/", slash[:len(slash) // 2]) + slash[:len(slash) // 2] + (
                    f"real/{platform}-".encode() + match.group(3))

            body = ABSOLUTE.sub(local, listing.read_bytes())
            kind = "application/json" if listing.suffix == ".json" else "application/xml"
            self._send(200, body, f"{kind}; charset=utf-8",
                       headers={"X-WP-TotalPages": str(pages)} if listing.suffix == ".json" else None)
            return
        pages = sorted((SHARED / "pages" / platform).glob("*.html"))
        if not pages:
            self._send(404, b"no such page")
            return
        page = pages[zlib.crc32(path.encode()) % len(pages)]
        self._send(200, page.read_bytes(), "text/html")


def main() -> None:
    server = SiteServer(demo_site_root(), handler=MockSiteHandler)
    server.conditional = []
    server.real = real_listings()
    print(server.base_url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
