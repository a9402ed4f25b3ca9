"""A procedurally generated blog site for the crawl benchmark, and a server for it.

``generate_site(n, seed)`` builds ``n`` article pages (50–150 KB each) in jianshu-,
CSDN-, WordPress- and Medium-style markup plus a few plain pages only the generic
extractor reads, Chinese and English, with recommendation blocks, comments, inline
scripts and styles; 30 % of the pages repost another page's text with small edits.
``/index.html`` starts a chain of listing pages that link every article. Text comes from small built-in word lists, so
the site is the same for the same ``n`` and ``seed``.

Run ``python -m bench.sitegen --pages N`` to serve it on 127.0.0.1: the first line
printed is the base URL, the server stops when stdin closes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# -- word lists -------------------------------------------------------------------
_HANZI = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行"
    "学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外"
    "天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情"
    "者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角"
    "期根论运农指几九区强放决西被干做必战先回则任取据处理世车书读茶雨风窗灯河城夜春秋早晚路桥船花树林鸟云"
)
_EN_TEXT = (
    "the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were "
    "her she there been one all we their has would when if so no will more out up into do any your what some can only "
    "other new time could these two may first then way like our over such me even most made after also well back "
    "through just year where much before good people being great another because how know still since while same "
    "garden river morning bread notebook cello window kitchen winter summer letter station harbour village market "
    "coffee journey patience silence lantern meadow orchard pottery workshop library quilt ferry lighthouse violin "
    "recipe harvest sketch chapter attic bicycle compass candle drawer envelope festival gravel hammock island jacket "
    "kettle ladder marble needle pebble quarry ribbon saddle thimble umbrella velvet wagon yarn zephyr anchor basket "
    "careful quiet gentle bright steady slow honest curious patient simple heavy narrow distant early late warm cold "
    "learned wrote carried folded noticed repaired planted walked listened measured painted wondered remembered "
    "practice habit attention craft memory season weather neighbour friendship evening afternoon question answer"
)
_EN_WORDS = _EN_TEXT.split()
_CN_WORDS = [_HANZI[i % len(_HANZI)] + _HANZI[(i * 7 + 3) % len(_HANZI)] for i in range(0, len(_HANZI) * 3, 1)]
_CN_NAMES = ["林间小径", "木木夕", "老K职场说", "背包客阿远", "厨房里的阿婆", "dbnotes", "码农小张", "读书的猫"]
_EN_NAMES = ["Hanna Lind", "Tomas Baker", "Aisha Okafor", "Ben Carter", "Mei Tan", "Oscar Reyes", "Lena Vogt"]


def _cn_sentence(rng: random.Random) -> str:
    return "".join(rng.choices(_CN_WORDS, k=rng.randint(6, 16))) + rng.choice("。。。！？")


def _en_sentence(rng: random.Random) -> str:
    words = rng.choices(_EN_WORDS, k=rng.randint(8, 22))
    return " ".join(words).capitalize() + rng.choice("...?!")


def _paragraphs(rng: random.Random, lang: str, target_chars: int) -> list[str]:
    sentence = _cn_sentence if lang == "zh" else _en_sentence
    joiner = "" if lang == "zh" else " "
    paras: list[str] = []
    total = 0
    while total < target_chars:
        para = joiner.join(sentence(rng) for _ in range(rng.randint(3, 7)))
        paras.append(para)
        total += len(para)
    return paras


def _title(rng: random.Random, lang: str) -> str:
    if lang == "zh":
        return "".join(rng.choices(_CN_WORDS, k=rng.randint(4, 8)))
    return " ".join(rng.choices(_EN_WORDS, k=rng.randint(4, 8))).title()


# -- page model ---------------------------------------------------------------------
@dataclass
class Article:
    """One generated page before rendering."""

    index: int
    style: str  # jianshu, csdn, wordpress, medium, generic
    lang: str
    path: str
    title: str
    author: str
    published: str
    paragraphs: list[str]
    repost_of: int | None = None


STYLES = ("jianshu", "csdn", "wordpress", "medium", "generic")
_WEIGHTS = (30, 28, 19, 19, 4)
_LANG = {"jianshu": "zh", "csdn": "zh", "wordpress": "en", "medium": "en"}


def _path(style: str, i: int, rng: random.Random) -> str:
    if style == "jianshu":
        return f"/p/{i:06x}{rng.getrandbits(24):06x}"
    if style == "csdn":
        return f"/{rng.choice(['dbnotes', 'weixin_4471', 'coder'])}/article/details/{135000000 + i}"
    if style == "wordpress":
        return f"/{2020 + i % 5}/{1 + i % 12:02d}/{1 + i % 28:02d}/post-{i}"
    if style == "medium":
        return f"/@writer{i % 97}/story-{i}-{rng.getrandbits(48):012x}"
    return f"/posts/{i}"


def plan_site(n: int, seed: int = 7, repost_share: float = 0.3) -> list[Article]:
    """The articles of the site; about ``repost_share`` of them copy an earlier one."""
    rng = random.Random(seed)
    articles: list[Article] = []
    for i in range(n):
        style = rng.choices(STYLES, _WEIGHTS)[0]
        page_rng = random.Random(seed * 1_000_003 + i)
        originals = [a for a in articles[-400:] if a.repost_of is None]
        repost = i > 10 and originals and rng.random() < repost_share
        if repost:
            source = rng.choice(originals)
            lang = source.lang
            if style != "generic" and _LANG[style] != lang:
                style = "jianshu" if lang == "zh" else "wordpress"
            paras = list(source.paragraphs)
            edit = rng.random()
            if edit < 0.3:
                pass  # exact copy
            elif edit < 0.7:
                paras.insert(
                    0, "本文转载自" + source.author if lang == "zh" else f"Originally published by {source.author}."
                )
            else:
                paras = paras[:-1] + [_paragraphs(page_rng, lang, 80)[0]]
            title = source.title
        else:
            lang = _LANG.get(style) or rng.choice(("zh", "en"))
            target = page_rng.randint(1500, 6000) if lang == "zh" else page_rng.randint(4000, 16000)
            paras = _paragraphs(page_rng, lang, target)
            title = _title(page_rng, lang)
            source = None
        articles.append(
            Article(
                index=i,
                style=style,
                lang=lang,
                path=_path(style, i, page_rng),
                title=title,
                author=page_rng.choice(_CN_NAMES if lang == "zh" else _EN_NAMES),
                published=f"20{18 + i % 7}-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00+00:00",
                paragraphs=paras,
                repost_of=source.index if source else None,
            )
        )
    return articles


# -- rendering ------------------------------------------------------------------------
def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _padding_script(rng: random.Random, size: int) -> str:
    """An inline state blob like the ones single-page blog front ends embed."""
    state = []
    length = 0
    while length < size:
        entry = {
            "id": rng.getrandbits(40),
            "slug": "-".join(rng.choices(_EN_WORDS, k=5)),
            "views": rng.randint(0, 99999),
            "tags": rng.choices(_EN_WORDS, k=4),
            "cover": f"https://cdn.example.com/img/{rng.getrandbits(64):016x}.jpg",
        }
        chunk = json.dumps(entry)
        state.append(chunk)
        length += len(chunk) + 1
    return "<script>window.__INITIAL_STATE__ = [" + ",".join(state) + "];</script>\n"


_CSS = "".join(
    f".c{i} {{ margin: {i % 7}px {i % 5}px; color: #{i * 2654435761 % 0xFFFFFF:06x}; font-size: {10 + i % 9}px; }}\n"
    for i in range(220)
)


def _recommendations(rng: random.Random, site: list[Article], me: Article) -> list[Article]:
    return [site[rng.randrange(len(site))] for _ in range(rng.randint(4, 8)) if site]


def _comments(rng: random.Random, lang: str) -> str:
    items = []
    for _ in range(rng.randint(3, 12)):
        text = _cn_sentence(rng) if lang == "zh" else _en_sentence(rng)
        items.append(
            f'<li class="comment"><span class="comment-author">u{rng.getrandbits(20)}</span><p>{_esc(text)}</p></li>'
        )
    return '<div id="comments" class="comments-area"><ol class="comment-list">' + "".join(items) + "</ol></div>\n"


def _nav(rng: random.Random, lang: str) -> str:
    words = _CN_WORDS if lang == "zh" else _EN_WORDS
    links = "".join(f'<li><a href="/c/{rng.getrandbits(16)}">{rng.choice(words)}</a></li>' for _ in range(40))
    return f'<nav class="navbar"><ul>{links}</ul></nav>\n'


def render(article: Article, site: list[Article], seed: int = 7) -> bytes:
    """The HTML of one article page."""
    rng = random.Random(seed * 7919 + article.index)
    body = "\n".join(f"<p>{_esc(p)}</p>" for p in article.paragraphs)
    recs = _recommendations(rng, site, article)
    style, lang = article.style, article.lang
    title = _esc(article.title)
    head_extra = ""
    if style == "jianshu":
        items = "".join(
            f'<div class="note"><a class="title" href="{r.path}">{_esc(r.title)}</a>'
            f'<p class="abstract">{_esc(r.paragraphs[0][:40])}……</p><div class="meta">'
            f'<a class="author" href="/u/{r.index}"><span class="name">{_esc(r.author)}</span></a> '
            f'<span class="reads">阅读 {rng.randint(100, 99999):,}</span> <span class="comments">评论 {rng.randint(0, 999)}</span> '
            f'<span class="likes">赞 {rng.randint(0, 9999)}</span></div></div>'
            for r in recs
        )
        main = (
            f'<div class="note"><div class="post"><div class="article"><h1 class="title">{title}</h1>'
            f'<div class="author"><div class="info"><span class="name"><a href="/u/{article.index}">{_esc(article.author)}</a></span>'
            f'<div class="meta"><span class="publish-time">{article.published[:10].replace("-", ".")} 09:15</span></div></div></div>'
            f'<div data-note-content class="show-content">\n{body}\n</div>'
            f'<div class="show-foot"><a class="notebook" href="/nb/1">随笔</a></div></div></div>'
            f'<div class="seo-recommended-notes"><h3>推荐阅读更多精彩内容</h3>{items}</div></div>'
        )
    elif style == "csdn":
        items = "".join(
            f'<div class="recommend-item-box"><a href="{r.path}"><div class="tit">{_esc(r.title)}</div></a>'
            f'<div class="desc">{_esc(r.paragraphs[0][:30])}</div></div>'
            for r in recs
        )
        main = (
            f'<main><div class="blog-content-box"><div class="article-header-box"><h1 class="title-article" id="articleContentId">{title}</h1>'
            f'<div class="article-info-box"><a class="follow-nickName" href="/u/{article.index}">{_esc(article.author)}</a> '
            f'<span class="time">于 {article.published[:10]} 08:00:00 发布</span></div></div>'
            f'<article class="baidu_pl"><div id="article_content" class="article_content"><div id="content_views" class="markdown_views">\n{body}\n</div></div></article>'
            f'<div class="hide-article-box">阅读全文 登录后您可以享受以下权益</div></div>'
            f'<div class="recommend-box">{items}</div></main>'
        )
    elif style == "wordpress":
        head_extra = '<meta name="generator" content="WordPress 6.4.3">'
        items = "".join(
            f'<div class="jp-relatedposts-post"><h4 class="jp-relatedposts-post-title"><a href="{r.path}">{_esc(r.title)}</a></h4></div>'
            for r in recs
        )
        main = (
            f'<header class="site-header"><p class="site-title"><a href="/">Field Notes</a></p></header>'
            f'<main id="main" class="site-main"><article class="post type-post status-publish hentry">'
            f'<header class="entry-header"><h1 class="entry-title">{title}</h1><div class="entry-meta"><span class="byline">by '
            f'<span class="author vcard"><a class="url fn n" href="/author/{article.index}">{_esc(article.author)}</a></span></span>'
            f'<time class="entry-date published" datetime="{article.published}">{article.published[:10]}</time></div></header>'
            f'<div class="entry-content">\n{body}\n<div class="sharedaddy"><h3>Share this:</h3><ul><li><a href="#">Twitter</a></li></ul></div>'
            f'<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>Related</em></h3>{items}</div></div>'
            f"</article></main>"
        )
    elif style == "medium":
        head_extra = '<meta property="al:android:package" content="com.medium.reader">'
        items = "".join(
            f'<article><a href="{r.path}"><h2>{_esc(r.title)}</h2></a><p>{_esc(r.paragraphs[0][:50])}</p></article>'
            for r in recs
        )
        main = (
            f'<div id="root"><article><div class="l"><section><h1 data-testid="storyTitle" class="pw-post-title">{title}</h1>'
            f'<div class="pw-author"><a data-testid="authorName" href="/@{article.index}">{_esc(article.author)}</a> · '
            f'<span data-testid="storyPublishDate">{article.published[:10]}</span></div>\n{body}\n</section></div></article>'
            f'<section class="more-from-medium"><h2>More from Medium</h2>{items}</section></div>'
        )
    else:
        items = "".join(f'<li><a href="{r.path}">{_esc(r.title)}</a></li>' for r in recs)
        main = (
            f'<div class="wrap"><div class="post"><h1>{title}</h1><p class="byline">{_esc(article.author)}</p>'
            f'<div class="post-body">\n{body}\n</div></div>'
            f'<div class="related"><h3>{"相关文章" if lang == "zh" else "Related posts"}</h3><ul>{items}</ul></div></div>'
        )
    html_lang = "zh-CN" if lang == "zh" else "en"
    head = (
        f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8"><title>{title}</title>\n'
        f'<meta property="og:type" content="article"><meta property="og:title" content="{title}">\n'
        f'<meta property="article:published_time" content="{article.published}">{head_extra}\n'
        f"<style>{_CSS}</style>\n"
    )
    parts = [
        head,
        "</head><body>\n",
        _nav(rng, lang),
        main,
        _comments(rng, lang),
        f'<footer class="site-footer">© {article.author}</footer>\n',
    ]
    size = sum(len(p.encode("utf-8")) for p in parts)
    target = rng.randint(50_000, 150_000)
    parts.insert(2, _padding_script(rng, max(0, target - size - 200)))
    parts.append("</body></html>\n")
    return "".join(parts).encode("utf-8")


#: Articles per listing page.
PER_LISTING = 50


def listing_pages(n: int) -> int:
    """How many listing pages link ``n`` articles (the spider's ``depth`` must exceed it)."""
    return max(1, -(-n // PER_LISTING))


def generate_site(n: int, seed: int = 7) -> dict[str, bytes]:
    """Path → page bytes for ``n`` articles and the listing pages that link them all.

    ``/index.html`` is the first listing page; each links the next one before its
    articles, as blog archives paginate. A crawler that takes the newest request first
    (Scrapy's default) then works through one listing at a time instead of queueing
    every article of the site at once.
    """
    articles = plan_site(n, seed)
    pages = {a.path: render(a, articles, seed) for a in articles}
    count = listing_pages(n)
    for k in range(count):
        chunk = articles[k * PER_LISTING : (k + 1) * PER_LISTING]
        links = "\n".join(f'<li><a href="{a.path}">{_esc(a.title)}</a></li>' for a in chunk)
        # like a pager ("older: 2 3 4"): a listing that fails to load does not end the chain
        nav = " ".join(f'<a href="/list/{j + 1}.html">{j + 1}</a>' for j in range(k + 1, min(count, k + 4)))
        path = "/index.html" if k == 0 else f"/list/{k + 1}.html"
        pages[path] = (
            f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Bench site, page {k + 1}</title></head>'
            f'<body><nav class="pagination">{nav}</nav><h1>Articles</h1><ul>\n{links}\n</ul></body></html>\n'
        ).encode()
    return pages


# -- serving ----------------------------------------------------------------------------
class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    pages: dict[str, bytes] = {}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        return

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        path = self.path.split("?", 1)[0]
        body = self.pages.get("/index.html" if path == "/" else path)
        if body is None:
            self.send_response(HTTPStatus.NOT_FOUND)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    # the default backlog of 5 drops connections when a crawler opens dozens at once,
    # and each dropped SYN costs a crawler a one-second retransmission
    request_queue_size = 1024


def serve(pages: dict[str, bytes], host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """Start serving ``pages`` in a background thread; returns the server."""
    handler = type("Handler", (_Handler,), {"pages": pages})
    server = _Server((host, port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    pages = generate_site(args.pages, args.seed)
    server = serve(pages)
    total = sum(len(b) for b in pages.values())
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    print(f"{args.pages} pages, {total / (len(pages)):.0f} bytes on average", flush=True)
    sys.stdin.read()  # serve until the parent closes our stdin
    server.shutdown()


if __name__ == "__main__":
    main()
