"""Bad input: never a crash or a hang, either an Extraction or NoBodyFound."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crawler.platforms import PLATFORMS
from pipelines.extract import Extraction, NoBodyFound, extract_article

ARTICLE = "<p>" + "A sentence that belongs to the article body. " * 8 + "</p>"


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t ",
        "<html></html>",
        "<html><body><nav><a href='/'>Home</a></nav></body></html>",
        "<?xml version='1.0'?><rss><channel><title>feed</title></channel></rss>",
    ],
    ids=["empty", "blank", "empty-document", "navigation-only", "xml-feed"],
)
def test_pages_without_an_article(html: str) -> None:
    with pytest.raises(NoBodyFound):
        extract_article(html, url="https://example.com/")


def test_binary_bytes() -> None:
    junk = os.urandom(64_000).decode("latin-1")
    with pytest.raises(NoBodyFound):
        extract_article(junk)


def test_nul_and_control_characters_are_dropped() -> None:
    result = extract_article("<article>\x00" + ARTICLE.replace("body", "bo\x00dy\x07") + "</article>")
    assert "\x00" not in result.body
    assert "\x07" not in result.body
    assert "belongs to the article body" in result.body


def test_deeply_nested_divs() -> None:
    html = "<div>" * 100_000 + ARTICLE + "</div>" * 100_000
    result = extract_article(html)
    assert "belongs to the article" in result.body


@pytest.mark.parametrize("depth", [300, 3_000])
def test_text_deeper_than_libxml2s_limit_and_after_it_is_kept(depth: int) -> None:
    """libxml2 stops at 256 levels (2,048 with huge_tree) and drops the rest of the page."""
    deep = ARTICLE.replace("article body", "deepest paragraph")
    after = ARTICLE.replace("article body", "closing paragraph")
    html = f"<html><body><article>{'<div>' * depth}{deep}{'</div>' * depth}{after}</article></body></html>"
    result = extract_article(html)
    assert "deepest paragraph" in result.body
    assert "closing paragraph" in result.body
    assert result.body.index("deepest paragraph") < result.body.index("closing paragraph")


def test_flatten_below_keeps_text_and_order_and_bounds_the_depth() -> None:
    from lxml import html as lxml_html

    from pipelines.extract.html import flatten_below

    root = lxml_html.fromstring(
        "<html><body>" + "<div>" * 10 + "<p>one <b>two</b></p><div><p>three</p></div>" + "</div>" * 10 + "</body></html>"
    )
    before = " ".join(root.text_content().split())
    assert flatten_below(root, 4) > 0
    assert " ".join(root.text_content().split()) == before
    assert max(len(list(el.iterancestors())) + 1 for el in root.iter()) <= 5


def test_deeply_nested_unclosed_inline_tags() -> None:
    html = "<html><body>" + ARTICLE + "<p><b><i><a href='x'>" * 30_000
    result = extract_article(html)
    assert "belongs to the article body" in result.body


def test_twenty_megabyte_page() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {i} of a very long page, with enough words to count. </p>\n" for i in range(280_000)
    )
    html = "<html><body><article>" + paragraphs + "</article></body></html>"
    assert len(html) > 20_000_000
    result = extract_article(html)
    assert result.body.startswith("Paragraph 0 of a very long page")


def test_huge_link_list_is_not_a_recommendation_block() -> None:
    links = "".join(f"<li><a href='/p/{i}'>Story number {i} title</a></li>" for i in range(5_000))
    html = f"<html><body><article>{ARTICLE}</article><h2>Related posts</h2><ul>{links}</ul></body></html>"
    result = extract_article(html)
    assert "belongs to the article body" in result.body


TAGS = [
    "div",
    "p",
    "span",
    "a",
    "h2",
    "ul",
    "li",
    "article",
    "section",
    "aside",
    "nav",
    "table",
    "tr",
    "td",
    "pre",
    "script",
    "style",
    "br",
    "img",
    "iframe",
    "form",
    "b",
    "i",
]
WORDS = [
    "推荐阅读",
    "Related posts",
    "阅读 1.2万",
    "评论",
    "©著作权归作者所有",
    "hello",
    "world",
    "<",
    ">",
    "&amp;",
    "&#0;",
    "\x00",
    "\ufffd",
    "原文链接: http://x.y/z",
    " ",
    "\n",
    "More from Medium",
    "1,234",
]


@st.composite
def markup(draw: st.DrawFn) -> str:
    """Random, often broken, HTML made of realistic pieces."""
    pieces = draw(
        st.lists(
            st.one_of(
                st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
                st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
                st.tuples(
                    st.sampled_from(TAGS),
                    st.sampled_from(["class", "id", "href", "onclick", "style"]),
                    st.text(max_size=12),
                ).map(lambda a: f'<{a[0]} {a[1]}="{a[2]}">'),
                st.sampled_from(WORDS),
                st.text(max_size=40),
            ),
            max_size=120,
        )
    )
    return "".join(pieces)


URLS = [None, "::bad", "https://example.com/a"] + [
    f"https://{p.domains[0]}/p/1" for p in PLATFORMS.values() if p.domains
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html=markup(), url=st.sampled_from(URLS), platform=st.sampled_from([None, *PLATFORMS]))
@example(html="<pre><SPAN>推荐阅读", url=None, platform=None)  # a code block in the library's output tree
def test_random_markup_never_crashes(html: str, url: str | None, platform: str | None) -> None:
    try:
        result = extract_article(html, url=url, platform=platform)
    except NoBodyFound:
        return
    assert isinstance(result, Extraction)
    assert result.body.strip()
    for record in result.recommendations:
        assert record.title


@settings(max_examples=200, deadline=None)
@given(text=st.text())
def test_random_text_never_crashes(text: str) -> None:
    try:
        extract_article(text)
    except NoBodyFound:
        pass
