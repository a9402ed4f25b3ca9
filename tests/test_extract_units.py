"""Pieces of extraction: counts, dates, declared originals, clean HTML, platform detection,
generic recommendation blocks."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.extract import NoBodyFound, detect_platform, extract_article
from pipelines.extract.generic import densest_block, text_lengths
from pipelines.extract.html import (
    _CONTROL,
    parse_html,
    sanitised_html,
    to_text,
    trim_footer,
    without_control_characters,
)
from pipelines.extract.metadata import clean_author, detect_lang, normalise_date
from pipelines.extract.numbers import labelled_counts, parse_count
from pipelines.extract.selectors import PageIndex, _alternative_xpaths, may_match, select

PARAGRAPHS = "".join(
    f"<p>Paragraph {i} of the article explains one more thing about the subject at some length.</p>"
    for i in range(6)
)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("阅读 206,378", 206378),
        ("1.2万", 12000),
        ("3.4k", 3400),
        ("12 likes", 12),
        ("评论 0", 0),
        ("2.5亿", 250_000_000),
        ("1,234 reads", 1234),
        ("no number", None),
        (None, None),
        ("赞 481", 481),
    ],
)
def test_parse_count(text: str | None, count: int | None) -> None:
    assert parse_count(text) == count


@pytest.mark.parametrize(
    ("text", "reads", "comments", "likes"),
    [
        ("阅读 206,378 评论 6 赞 481", 206378, 6, 481),
        ("1.2万阅读 · 35评论", 12000, 35, None),
        ("12 likes 3 comments 1,024 views", 1024, 3, 12),
        ("1.1K claps · 12 responses", None, 12, 1100),
        ("5 min read", None, None, None),
    ],
)
def test_labelled_counts(text: str, reads: int | None, comments: int | None, likes: int | None) -> None:
    assert labelled_counts(text) == {"reads": reads, "comments": comments, "likes": likes}


def test_generic_block_items_carry_their_counts() -> None:
    cards = "".join(
        f"<div class='card'><a href='/p/{i}'>A story from the sidebar, number {i}</a>"
        f"<span>{i + 1}.{i}k views</span><span>{i} comments</span></div>"
        for i in range(3)
    )
    html = f"<html><body><article>{PARAGRAPHS}</article><aside><h3>Popular posts</h3>{cards}</aside></body>"
    records = extract_article(html).recommendations
    assert [(r.reads, r.comments) for r in records] == [(1000, 0), (2100, 1), (3200, 2)]


@pytest.mark.parametrize(
    ("raw", "tz", "iso"),
    [
        ("2016.05.18 16:03", "+08:00", "2016-05-18T16:03:00+08:00"),
        ("2019年06月15日08:18", "+08:00", "2019-06-15T08:18:00+08:00"),
        ("2020-09-26T11:08:40.000Z", None, "2020-09-26T11:08:40+00:00"),
        ("2023-03-28T18:04:00-04:00", "+08:00", "2023-03-29T06:04:00+08:00"),  # the same instant, shown locally
        ("2019-01-13T23:37:40Z", "+08:00", "2019-01-14T07:37:40+08:00"),
        ("2023-03-28T18:04:00-04:00", None, "2023-03-28T18:04:00-04:00"),
        ("2019-05-03 20:00-22:00", "+08:00", "2019-05-03T20:00:00+08:00"),  # a time range, not an offset
        ("2019-05-03 10:00-12:00", "+08:00", "2019-05-03T10:00:00+08:00"),
        ("2023-03-28 18:04:00 -04:00", None, "2023-03-28T18:04:00-04:00"),
        ("2019年05月03日 20:00-22:00", None, "2019-05-03T20:00:00"),
        ("1581418070", "+08:00", "2020-02-11T18:47:50+08:00"),
        ("2017-05-03", None, "2017-05-03"),
        ("(2014-04-20 21:35:08)", None, "2014-04-20T21:35:08"),
        ("May 12th, 2024, 05:20 pm", None, "2024-05-12T17:20:00"),
        ("Mai 03, 2017", None, "2017-05-03"),
        ("26 Sep 2020", None, "2020-09-26"),
        ("October 5, 2019 at 9:03 am", "-04:00", "2019-10-05T09:03:00-04:00"),
        ("Feb 30, 2020", None, None),
        ("yesterday", None, None),
        ("2019-13-45", None, None),
        ("0001-01-01T00:00:00Z", None, None),  # an empty CMS field
        ("1970-01-01T00:00:00Z", None, None),
        ("1969-12-31T16:00:00-08:00", None, None),  # the epoch west of UTC
        ("1900-01-01", None, None),
        ("1985-03-02", None, "1985-03-02"),  # a digitised article
    ],
)
def test_normalise_date(raw: str, tz: str | None, iso: str | None) -> None:
    assert normalise_date(raw, tz) == iso


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("GameForce 关注", "GameForce"),
        ("  Ana Moreira · ", "Ana Moreira"),
        ("104363", None),
        ("Radzion Follow", "Radzion"),
        ("", None),
        ("By TOM KRISHER, AP Auto Writer", "TOM KRISHER, AP Auto Writer"),
        ("by: Jane Doe", "Jane Doe"),
        ("Byron Smith", "Byron Smith"),
        ("Von Miller", "Von Miller"),
        ("作者：张三", "张三"),
        ("https://www.facebook.com/somebody", None),
        ("www.example.com/staff/jd", None),
    ],
)
def test_clean_author(raw: str, name: str | None) -> None:
    assert clean_author(raw) == name


def test_placeholder_date_and_url_author_give_way_to_the_next_candidate() -> None:
    html = (
        "<html><head><meta property='article:author' content='https://www.facebook.com/somebody'>"
        "<meta name='dc.creator' content='Ana Moreira'>"
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": {"name": "https://example.com/ana"},'
        ' "datePublished": "0001-01-01T00:00:00Z"}</script></head>'
        f"<body><article><time datetime='2019-11-19T02:24:00Z'>Nov 19</time>{PARAGRAPHS}</article></body></html>"
    )
    extraction = extract_article(html)
    assert extraction.published == "2019-11-19T02:24:00+00:00"
    assert extraction.author == "Ana Moreira"


@pytest.mark.parametrize(
    ("snippet", "original"),
    [
        ("本文转载自：https://blog.example.cn/post/42 ，感谢作者。", "https://blog.example.cn/post/42"),
        ("原文链接：http://www.example.com/a.html", "http://www.example.com/a.html"),
        ("Originally published at https://radzion.com/blog/guitar.", "https://radzion.com/blog/guitar"),
    ],
)
def test_declared_original_in_text(snippet: str, original: str) -> None:
    html = f"<html><body><article>{PARAGRAPHS}<p>{snippet}</p></article></body></html>"
    assert extract_article(html, url="https://copy.example.org/p/1").declared_original == original


def test_declared_original_from_canonical_elsewhere() -> None:
    html = (
        "<html><head><link rel='canonical' href='https://origin.example.com/post'></head>"
        f"<body><article>{PARAGRAPHS}</article></body></html>"
    )
    assert extract_article(html, url="https://mirror.example.net/post").declared_original == (
        "https://origin.example.com/post"
    )
    same = html.replace("https://origin.example.com/post", "https://mirror.example.net/post")
    assert extract_article(same, url="https://mirror.example.net/post").declared_original is None


def test_sanitised_html_keeps_images_only() -> None:
    root = parse_html(
        "<div><p onclick='steal()' style='color:red'>Hi <a href='javascript:alert(1)'>x</a>"
        "<a href='https://ok.example/'>ok</a></p><script>alert(1)</script><iframe src='https://ads'></iframe>"
        "<img src='https://img.example/a.png' onerror='x()'><video src='https://v.example/a.mp4'></video>"
        "<link rel='stylesheet' href='https://css.example/a.css'></div>"
    )
    clean = sanitised_html(root.find(".//div"))
    for bad in (
        "onclick",
        "style=",
        "javascript:",
        "<script",
        "<iframe",
        "onerror",
        "<video",
        "<link",
        "css.example",
    ):
        assert bad not in clean
    assert "https://img.example/a.png" in clean
    assert 'href="https://ok.example/"' in clean


def test_to_text_puts_blocks_on_their_own_lines() -> None:
    root = parse_html(
        "<div><h2>Title</h2><p>One <b>bold</b> line.</p><ul><li>first</li><li>second</li></ul>"
        "<pre>  indented\n    more</pre><p>a<br>b</p></div>"
    )
    assert (
        to_text(root.find(".//div"))
        == "Title\n\nOne bold line.\n\nfirst\n\nsecond\n\n  indented\n    more\n\na\nb"
    )


def test_selector_prefilter() -> None:
    root = parse_html(
        "<html><head><meta name='generator' content='WordPress 6.4'></head>"
        "<body><div class='entry-content' id='main'><p>x</p></div></body></html>"
    )
    index = PageIndex.of(root, "<div class='entry-content' id='main'> content='WordPress 6.4'")
    assert may_match(".entry-content", index)
    assert may_match("#main p", index)
    assert not may_match("#js_content", index)
    assert may_match("meta[content='WordPress 6.4']", index)
    assert not may_match("meta[content='Ghost 5']", index)
    assert select(root, "#js_content", index) == []
    assert len(select(root, "div.entry-content p", index)) == 1
    assert select(root, "[[not a selector") == []


def test_selector_alternatives_the_page_cannot_match_drop_out() -> None:
    markup = (
        "<html><body><div class='a' id='top'><p class='b'>x</p><span class='c' title='x,y'>y</span>"
        "<p class='b c'>z</p></div></body></html>"
    )
    root = parse_html(markup)
    index = PageIndex.of(root, markup)
    for selector in (".a, .missing", ".missing, .b, .c", "#nope, p", ".c, .b", "#top p, .missing span", ".b, p.b"):
        assert select(root, selector, index) == select(root, selector), selector
    assert [el.text for el in select(root, ".missing, .c, .b", index)] == ["x", "y", "z"]  # document order
    assert select(root, ".missing, #nope", index) == []
    # a comma inside quotes is no split between alternatives: the selector is searched whole
    assert _alternative_xpaths("span[title='x,y'], .missing") is None
    assert [el.text for el in select(root, "span[title='x,y'], .missing", index)] == ["y"]


@pytest.mark.parametrize("markup", ["plain text\twith tabs\r\nand lines 中文", "no\x00 nul\x01 or\x1f controls\x0b\x0c\n"])
def test_control_character_check(markup: str) -> None:
    cleaned = without_control_characters(markup)
    assert cleaned == _CONTROL.sub("", markup)
    assert (cleaned is markup) == (_CONTROL.search(markup) is None)


def test_self_hosted_wordpress_found_by_generator() -> None:
    root = parse_html(
        "<html><head><meta name='generator' content='WordPress 6.4.2'></head><body></body></html>"
    )
    platform = detect_platform(root, "https://blog.example.org/2024/01/post/")
    assert platform is not None
    assert platform.name == "wordpress"


def test_medium_custom_domain_found_by_markup() -> None:
    root = parse_html(
        "<html><head><meta property='al:android:package' content='com.medium.reader'></head>"
        "<body><article><section><p>x</p></section></article></body></html>"
    )
    platform = detect_platform(root, "https://wtfeconomy.com/some-story-e52ab9515573")
    assert platform is not None
    assert platform.name == "medium"


def test_unknown_site_has_no_platform() -> None:
    root = parse_html("<html><body><div class='story'><p>x</p></div></body></html>")
    assert detect_platform(root, "https://news.example.com/a") is None


@pytest.mark.parametrize(
    ("heading", "block"),
    [
        ("<h2>Related posts</h2>", "Related posts"),
        ("<h3>You might also like</h3>", "You might also like"),
        ("<div class='hd'><span>相关推荐</span></div>", "相关推荐"),
        ("<h4>热门文章：</h4>", "热门文章"),
        ("<h3>More from <a href='/u/ana'>Ana</a></h3>", "More from Ana"),
    ],
)
def test_generic_recommendation_blocks(heading: str, block: str) -> None:
    items = "".join(
        f"<li><a href='/posts/{i}'>Another story worth reading number {i}</a></li>" for i in range(4)
    )
    html = (
        "<html><body><nav><a href='/'>Home</a><a href='/about'>About</a></nav>"
        f"<article>{PARAGRAPHS}</article>"
        f"<aside><div class='widget'>{heading}<ul>{items}</ul></div></aside></body></html>"
    )
    result = extract_article(html, url="https://blog.example.com/posts/9")
    assert [r.title for r in result.recommendations] == [
        f"Another story worth reading number {i}" for i in range(4)
    ]
    assert {r.block for r in result.recommendations} == {block}
    assert result.recommendations[2].url == "https://blog.example.com/posts/2"
    assert [r.position for r in result.recommendations] == [0, 1, 2, 3]
    assert "Another story" not in result.body
    assert "Paragraph 5 of the article" in result.body


def test_link_lists_without_a_recommendation_heading_are_not_records() -> None:
    items = "".join(f"<li><a href='/c/{i}'>Category {i}</a></li>" for i in range(6))
    html = (
        f"<html><body><div class='menu'><h3>Categories</h3><ul>{items}</ul></div>"
        f"<article>{PARAGRAPHS}</article>"
    )
    assert extract_article(html).recommendations == ()


def test_author_links_inside_the_body_stay_in_the_body() -> None:
    html = (
        "<html><head><meta property='og:url' content='https://mp.weixin.qq.com/s/abc'></head><body>"
        "<h1 id='activity-name'>Title here</h1><div id='js_content'>"
        f"{PARAGRAPHS}<p><strong>相关文章</strong></p><p><a href='https://mp.weixin.qq.com/s/x'>一篇旧文章的标题</a></p>"
        "<p><a href='https://mp.weixin.qq.com/s/y'>另一篇旧文章的标题</a></p></div></body></html>"
    )
    result = extract_article(html, url="https://mp.weixin.qq.com/s/abc")
    assert result.platform == "wechat"
    assert "一篇旧文章的标题" in result.body
    assert result.recommendations == ()


def test_platform_argument_overrides_detection() -> None:
    html = f"<html><body><div class='show-content'>{PARAGRAPHS}</div></body></html>"
    assert extract_article(html, platform="jianshu").platform == "jianshu"
    with pytest.raises(NoBodyFound):
        extract_article("<html><body><p>short</p></body></html>", platform="csdn")


@pytest.mark.parametrize(
    ("body", "lang"),
    [
        ("这是一段中文的正文内容，" * 5 + "def main(): return run(args, options, settings)" * 3, "zh"),
        ("The quick brown fox jumps over the lazy dog and it is in the garden with you. " * 3, "en"),
        ("Der Hund ist nicht mit der Katze auf dem Sofa und die Kinder sind für sich. " * 3, "de"),
        ("これは日本語の文章です。文字コードを正しく判定できるかを確かめます。" * 3, "ja"),
    ],
)
def test_language_of_the_body(body: str, lang: str) -> None:
    html = f"<html lang='fr'><body><article><p>{body}</p></article></body></html>"
    assert extract_article(html).lang == lang


def test_space_separated_chinese_keywords_are_split() -> None:
    html = (
        "<html><head><meta name='keywords' content='小花 纸片 眼睛'></head>"
        f"<body><article>{PARAGRAPHS}</article></body></html>"
    )
    assert extract_article(html).tags == ("小花", "纸片", "眼睛")


def test_text_lengths_and_densest_block() -> None:
    root = parse_html(
        "<html><body><nav><a href='/'>Home</a></nav><div id='main'><p>"
        + "word " * 50
        + "</p><p>"
        + "more words " * 40
        + "</p></div><div class='links'><p><a href='/x'>"
        + "link text " * 30
        + "</a></p></div></body></html>"
    )
    text_len, link_len = text_lengths(root)
    links = root.find(".//div[@class='links']")
    assert text_len[links] == link_len[links] == len(("link text " * 30).strip())
    block = densest_block(root)
    assert block is not None
    assert block.get("id") == "main"


@pytest.mark.parametrize(
    "items",
    [
        ["Latest", "Sections", "Home", "Video"],
        ["Facebook", "Twitter", "Flipboard", "Email"],
        ["Previous article Something happened somewhere today", "Next article Something else happened"],
    ],
    ids=["menu", "share-links", "prev-next"],
)
def test_headings_over_menus_are_not_recommendations(items: list[str]) -> None:
    links = "".join(f"<li><a href='/{i}'>{text}</a></li>" for i, text in enumerate(items))
    html = f"<html><body><article>{PARAGRAPHS}</article><div><h3>Trending</h3><ul>{links}</ul></div></body>"
    assert extract_article(html).recommendations == ()


def test_share_prompts_are_trimmed_and_the_authors_closing_notice_stays() -> None:
    """A closing "转载请联系作者" inside the article is the author's last line (labelled
    pages keep it); a sharing widget's prompt is not."""
    html = (
        f"<html><body><div id='js_content'>{PARAGRAPHS}<p>Last real sentence of the piece.</p>"
        "<p>©著作权归作者所有，转载或内容合作请联系作者</p><p>分享到：微信 微博</p></div></body></html>"
    )
    result = extract_article(html, url="https://mp.weixin.qq.com/s/abc")
    assert result.body.endswith("Last real sentence of the piece.\n\n©著作权归作者所有，转载或内容合作请联系作者")
    assert trim_footer("Copyright is a theme of this essay.\n\nIt ends here.") == (
        "Copyright is a theme of this essay.\n\nIt ends here."
    )


def test_juejin_sidebar_related_entries() -> None:
    entries = "".join(
        f"<div class='entry-list'><a class='item' href='/post/{i}'>"
        f"<div class='entry-title'>第{i}篇相关的前端文章标题</div>"
        f"<div class='entry-meta'>{i + 10}赞 · {i}评论</div></a></div>"
        for i in range(2)
    )
    html = (
        "<html><body><div class='main-area article-area'><div id='article-root'>"
        f"<div class='article-viewer markdown-body'>{PARAGRAPHS}</div></div></div><div class='sidebar'>"
        f"<div class='sidebar-block related-entry-sidebar-block'><div class='block-title'>相关文章</div>"
        f"<div class='block-body'>{entries}</div></div></div></body></html>"
    )
    result = extract_article(html, url="https://juejin.cn/post/7000000000000000000")
    assert result.platform == "juejin"
    assert [(r.title, r.likes, r.comments) for r in result.recommendations] == [
        ("第0篇相关的前端文章标题", 10, 0),
        ("第1篇相关的前端文章标题", 11, 1),
    ]
    assert result.recommendations[1].url == "https://juejin.cn/post/1"


def test_self_hosted_wordpress_plugin_related_posts() -> None:
    items = "".join(
        f"<li><a href='/2024/0{i + 1}/post-{i}/' rel='bookmark'>An older post, number {i}</a></li>"
        for i in range(3)
    )
    html = (
        "<html><head><meta name='generator' content='WordPress 6.5'></head><body>"
        "<article class='post'><h1 class='entry-title'>Post title</h1>"
        f"<div class='entry-content'>{PARAGRAPHS}"
        f"<div class='yarpp-related'><h3>Related posts:</h3><ol>{items}</ol></div>"
        "</div></article></body></html>"
    )
    result = extract_article(html, url="https://example.org/2024/05/post-title/")
    assert result.platform == "wordpress"
    assert [r.title for r in result.recommendations] == [f"An older post, number {i}" for i in range(3)]
    assert {r.block for r in result.recommendations} == {"Related posts:"}
    assert "An older post" not in result.body


@pytest.mark.parametrize(
    "heading", ["相關文章", "延伸閱讀", "Recommended from Medium", "Trending on DEV Community", "大家都在看",
                "You may also like…", "相关文章推荐", "Most Popular", "Most read"]
)
def test_more_heading_vocabulary(heading: str) -> None:
    items = "".join(
        f"<li><a href='/p/{i}'>A story that someone else wrote, part {i}</a></li>" for i in range(3)
    )
    html = f"<html><body><article>{PARAGRAPHS}</article><div><h3>{heading}</h3><ul>{items}</ul></div></body>"
    assert [r.block for r in extract_article(html).recommendations] == [heading] * 3


def test_declared_source_names_the_outlet() -> None:
    body = f"<article><p>来源：中国青年报</p>{PARAGRAPHS}</article>"
    assert extract_article(f"<html><body>{body}</body></html>").declared_source == "中国青年报"
    meta = "<meta name='source' content='来源：人民网-文化频道 原创稿'>"
    html = f"<html><head>{meta}</head><body><article>{PARAGRAPHS}</article></body></html>"
    assert extract_article(html).declared_source == "人民网-文化频道"
    credit = f"<html><body><article><p>Source: Shutterstock</p>{PARAGRAPHS}</article></body></html>"
    assert extract_article(credit).declared_source is None


@given(st.text(alphabet=st.sampled_from("a中\t\n\r\x00\x01\x0b\x0c\x1f\x7f \ud800😀")))
def test_control_characters_are_removed_like_the_regular_expression_says(markup: str):
    assert without_control_characters(markup) == _CONTROL.sub("", markup)


@pytest.mark.parametrize(
    ("body", "lang"),
    [
        ("这是一篇关于城市骑行的文章，作者在每个周末都会骑车穿过老城区。" * 3, "zh"),
        ("これは東京の朝についての短い文章です。" * 3, "ja"),
        ("서울의 아침에 관한 짧은 글입니다. " * 5, "ko"),
        ("Это короткий текст о городе и его жителях. " * 5, "ru"),
        ("The city and the river and the bridge are in the story that it tells. " * 3, "en"),
    ],
)
def test_language_is_detected_from_script_or_stopwords(body: str, lang: str):
    assert detect_lang(parse_html("<html><body><p>x</p></body></html>"), body) == lang


def test_a_sidebar_heading_with_the_post_title_class_is_not_the_title() -> None:
    # a Blogger theme whose popular-posts widget uses h3.post-title before the post's h1.post-title
    widget = "".join(f"<li><h3 class='post-title'><a href='/p{i}'>Popular story {i}</a></h3></li>" for i in range(3))
    html = (
        "<html><head><meta name='generator' content='Blogger'>"
        "<title>Chelsea Activate Release Clause To Sign a Keeper</title></head><body>"
        f"<aside><ul>{widget}</ul></aside>"
        "<div class='post'><h1 class='post-title'> Chelsea Activate Release Clause To Sign a Keeper </h1>"
        f"<div class='post-body'>{PARAGRAPHS}</div></div></body></html>"
    )
    assert extract_article(html).title == "Chelsea Activate Release Clause To Sign a Keeper"


def test_a_title_the_head_does_not_confirm_stays_the_first_match() -> None:
    html = (
        "<html><head><meta name='generator' content='Blogger'><title>My blog</title></head><body>"
        "<header><h1 class='title'>My blog</h1></header>"  # the blog's name, as <title> says
        "<div class='post'><h3 class='post-title'>A day at the lake</h3>"
        f"<div class='post-body'>{PARAGRAPHS}</div></div>"
        "<aside><h3 class='post-title'>Another story</h3></aside></body></html>"
    )
    assert extract_article(html).title == "A day at the lake"


def test_a_date_printed_as_text_in_the_month_the_url_names_is_the_publication_date() -> None:
    def page(byline: str) -> str:
        return (
            f"<html><body><h1>Eine Rezension</h1><div class='links'><a href='#' rel='bookmark'>{byline}</a></div>"
            f"<article>{PARAGRAPHS}<p>Erschienen im März 2017 bei einem kleinen Verlag.</p></article>"
            "<div class='comments'><span>Mittwoch, Mai 10, 2017 4:14:00 PM</span></div></body></html>"
        )

    url = "https://someone.blogspot.com/2017/05/eine-rezension.html"
    assert extract_article(page("Mai 03, 2017"), url=url).published == "2017-05-03"
    # a sidebar of recent posts first: left out; a second day in the post itself: no guess
    recent = "<aside><ul><li>A walk, Mai 01, 2017</li><li>Tea, Mai 02, 2017</li></ul></aside>"
    assert extract_article(page("Mai 03, 2017").replace("<body>", "<body>" + recent), url=url).published == (
        "2017-05-03")
    # a date in a paragraph of the text is the text's; today's date in a top bar is no post's
    updated = page("Mai 03, 2017").replace("</article>", "<p>Update, Mai 22, 2017:</p></article>")
    assert extract_article(updated, url=url).published == "2017-05-03"
    today = "<div class='site-header'><span class='today'>Samstag, Mai 13, 2017</span></div>"
    assert extract_article(page("vor 3 Tagen").replace("<body>", "<body>" + today), url=url).published is None
    # two days printed as the post's: no guess
    two = page("Mai 03, 2017").replace("</h1>", "</h1><div class='meta'>Mai 05, 2017</div>")
    assert extract_article(two, url=url).published is None
    # a date is taken only from a date, byline or permalink element, never from a heading,
    # a caption, a change label or another post's card
    unreadable = page("vor 3 Tagen")
    for elsewhere in ("<h3>Mai 06, 2017</h3>", "<figure><figcaption>Der Hafen, Mai 06, 2017</figcaption></figure>",
                      "<div class='entry-meta'>Last updated: Mai 22, 2017</div>",
                      "<div class='recommended'><span class='card-date'>Mai 24, 2017</span></div>"):
        assert extract_article(unreadable.replace("</h1>", "</h1>" + elsewhere), url=url).published is None
    assert extract_article(page("03.05.2017"), url="https://someone.blogspot.com/2017/06/x.html").published is None
    assert extract_article(page("Mai 03, 2017"), url="https://example.com/posts/eine-rezension").published is None


def test_a_classic_blogger_date_header_is_the_publication_date() -> None:
    html = (
        "<html><head><meta name='generator' content='Blogger'><title>A day at the lake</title></head><body>"
        "<div class='date-outer'><h2 class='date-header'><span>Wednesday, May 3, 2017</span></h2>"
        f"<div class='post'><h3 class='post-title'>A day at the lake</h3><div class='post-body'>{PARAGRAPHS}</div>"
        "</div></div></body></html>"
    )
    assert extract_article(html, url="https://someone.blogspot.com/p/lake.html").published == "2017-05-03"


def test_card_titles_of_one_or_two_words_are_recommendations() -> None:
    """Headed cards show whatever the post is called ("Focaccia", "Why Rust?"); only bare
    links need to look like story titles (a menu is links too)."""
    titles = ["Focaccia", "Why Rust?", "Flaky tests, again and again"]
    cards = "".join(f"<div class='card'><h3><a href='/p/{i}'>{t}</a></h3></div>" for i, t in enumerate(titles))
    html = (f"<html><body><article>{PARAGRAPHS}</article>"
            f"<section><h2>More posts</h2>{cards}<a href='/archive'>See all</a></section></body></html>")
    result = extract_article(html, url="https://blog.example.com/p/9")
    assert [r.title for r in result.recommendations] == titles
    assert "Focaccia" not in result.body


def test_related_cards_with_excerpts_are_a_block_and_article_sections_are_not() -> None:
    """Cards with a thumbnail, a linked title and an excerpt have little link text; an
    article whose section headings link somewhere is no block of cards."""
    excerpt = "A short excerpt of the related post that a theme shows under its title on the card."
    cards = "".join(
        f"<article class='related-card'><img src='/t{i}.jpg'><h3 class='entry-title'>"
        f"<a href='/related-{i}/'>Related post {i}</a></h3><p>{excerpt}</p></article>" for i in range(3)
    )
    html = (f"<html><body><main><article class='post'><div class='content'>{PARAGRAPHS}</div></article>"
            f"<div class='astra-related'><h2>Related Posts</h2><div class='grid'>{cards}</div></div>"
            "</main></body></html>")
    result = extract_article(html, url="https://plants.example.com/repot/")
    assert [r.title for r in result.recommendations] == [f"Related post {i}" for i in range(3)]
    assert all(r.snippet == excerpt for r in result.recommendations)
    assert "short excerpt of the related post" not in result.body

    sections = "".join(
        f"<h2><a href='https://docs.example.com/ch{i}'>Chapter {i}</a></h2><p>{'Some prose of the chapter. ' * 40}</p>"
        for i in range(3)
    )
    page = f"<html><body><div class='story'><h3>Up next</h3>{sections}</div></body></html>"
    result = extract_article(page, url="https://news.example.com/story")
    assert result.recommendations == ()
    assert "Some prose of the chapter" in result.body


def test_a_known_block_whose_items_are_marked_up_otherwise_still_gives_records() -> None:
    """A platform's recommendation container found with items its description does not
    name (a theme's variant) is read like any block, not dropped with nothing recorded."""
    cards = "".join(
        f"<div class='jp-card'><h4><a href='/2024/0{i + 1}/walk-{i}/'>Spring walk {i}</a></h4></div>" for i in range(3)
    )
    html = ("<html><head><meta name='generator' content='WordPress 6.5'></head><body>"
            f"<article class='post'><h1 class='entry-title'>Post title</h1><div class='entry-content'>{PARAGRAPHS}</div>"
            f"<section class='related-posts'><h3>Related</h3>{cards}</section></article></body></html>")
    result = extract_article(html, url="https://example.org/2024/05/post-title/")
    assert [r.title for r in result.recommendations] == [f"Spring walk {i}" for i in range(3)]
    assert {r.block for r in result.recommendations} == {"Related"}


@pytest.mark.parametrize(
    ("head", "article", "block", "url"),
    [
        (  # Ghost's Source theme: a titled post feed below the post
            "<meta name='generator' content='Ghost 5.80'>",
            "<article class='post'><h1 class='article-title'>Post</h1><section class='gh-content'>{body}</section></article>"
            "<section class='gh-container'><h2 class='gh-container-title'>Read more</h2><div class='gh-feed'>{items}</div></section>",
            "<article class='gh-card post'><a class='gh-card-link' href='/p{i}/'><h3 class='gh-card-title'>{title}</h3>"
            "<p class='gh-card-excerpt'>What the post is about.</p></a></article>",
            "https://notes.example.com/post/",
        ),
        (  # Blogger's Contempo theme: Popular Posts (widget version 2) as article cards
            "<meta name='generator' content='Blogger'>",
            "<div class='post'><h3 class='post-title'>Post</h3><div class='post-body'>{body}</div></div>"
            "<div class='widget PopularPosts' data-version='2'><h3 class='title'>Popular posts from this blog</h3>{items}</div>",
            "<article class='post'><h3 class='post-title'><a href='/2020/0{i}/p.html'>{title}</a></h3>"
            "<div class='snippet-item'>What the post is about.</div></article>",
            "https://bread.blogspot.com/2021/03/post.html",
        ),
        (  # WordPress YARPP's thumbnails template
            "<meta name='generator' content='WordPress 6.5'>",
            "<article class='post'><h1 class='entry-title'>Post</h1><div class='entry-content'>{body}</div></article>"
            "<div class='yarpp yarpp-related'><h3>You may also like</h3><div class='yarpp-thumbnails-horizontal'>{items}</div></div>",
            "<a class='yarpp-thumbnail' href='/p{i}/'><img src='/t.jpg' alt=''><span class='yarpp-thumbnail-title'>{title}</span></a>",
            "https://travel.example.net/2024/05/porto/",
        ),
    ],
)
def test_theme_variants_of_known_recommendation_blocks(head: str, article: str, block: str, url: str) -> None:
    titles = ["Coimbra", "Three days in Lisbon", "Cheap eats in Madrid"]
    items = "".join(block.format(i=i + 1, title=t) for i, t in enumerate(titles))
    html = f"<html><head>{head}</head><body>{article.format(body=PARAGRAPHS, items=items)}</body></html>"
    result = extract_article(html, url=url)
    assert [r.title for r in result.recommendations] == titles
    assert "Lisbon" not in result.body


@pytest.mark.parametrize(
    ("html", "url", "author", "published"),
    [
        (  # cnblogs: the header is the blog's title; the "posted @" line names who posted
            "<div id='header'><a id='Header1_HeaderTitle' href='https://www.cnblogs.com/zw/'>一只猪的技术笔记</a></div>"
            "<h1 class='postTitle'><a id='cb_post_title_url'>缓存的三个问题</a></h1>"
            "<div id='cnblogs_post_body'>{body}</div><div class='postDesc'>posted @ <span id='post-date'>2023-05-12 14:03</span>"
            " <a href='https://www.cnblogs.com/zw/'>张伟不张</a> 阅读(123) <a href='https://i.cnblogs.com/EditPosts.aspx?postid=1'>编辑</a></div>",
            "https://www.cnblogs.com/zw/p/17389123.html", "张伟不张", "2023-05-12T14:03:00+08:00",
        ),
        (  # a WordPress block theme without an SEO plugin
            "<meta name='generator' content='WordPress 6.4'>|<h1 class='wp-block-post-title'>Runners</h1>"
            "<div class='wp-block-post-author-name'><a href='/author/maya/'>Maya Hartley</a></div>"
            "<time datetime='2023-05-12T14:03:11+00:00'>May 12</time><div class='entry-content'>{body}</div>",
            "https://notes.example.org/2023/05/12/runners/", "Maya Hartley", "2023-05-12T14:03:11+00:00",
        ),
        (  # toutiao's 2021 layout: a row of spans under the title
            "<div class='article-content'><h1>国产大飞机完成首次商业载客飞行</h1><div class='article-meta'>"
            "<span class='original-mark'>原创</span><span>2023-05-28 13:25</span><span class='name'>"
            "<a href='/c/user/token/1/'>航空知识观察</a></span></div><article class='syl-article-base tt-article-content'>"
            "{body}</article></div>",
            "https://www.toutiao.com/article/7238000000000000001/", "航空知识观察", "2023-05-28T13:25:00+08:00",
        ),
        (  # people.com.cn's 2020 layout: the date line has the time the day-only meta lacks
            "<meta name='publishdate' content='2023-05-12'>|<div class='rm_txt'><h1>多地推出夜间经济新举措</h1>"
            "<div class='author'>本报记者 王晓</div><div class='col-1-1 fl'>2023年05月12日08:12 | 来源：人民网</div>"
            "<div class='rm_txt_con'>{body}</div></div>",
            "http://finance.people.com.cn/n1/2023/0512/c1004-32683451.html", "本报记者 王晓", "2023-05-12T08:12:00+08:00",
        ),
        (  # a news page that gives its date only in a publishdate meta
            "<meta name='publishdate' content='2023-05-12'>|<h1>多地推出夜间经济新举措</h1><article>{body}</article>",
            "https://news.example.cn/n1/c1004-32683451.html", None, "2023-05-12",
        ),
    ],
)
def test_bylines_and_dates_of_more_layouts(html: str, url: str, author: str | None, published: str) -> None:
    head, _, body = html.rpartition("|")  # metas go in the head
    page = f"<html><head>{head}</head><body>{body.format(body=PARAGRAPHS)}</body></html>"
    result = extract_article(page, url=url)
    assert result.author == author
    assert result.published == published
    assert "Paragraph 5 of the article" in result.body


def test_a_page_its_scripts_fill_in_gives_the_body_of_its_structured_data() -> None:
    text = "Lifetimes are the part of Rust that confuses newcomers most.\nThey are constraints, not durations."
    ld = {"@context": "https://schema.org", "@type": "BlogPosting", "headline": "Understanding Rust lifetimes",
          "author": {"@type": "Person", "name": "Karl Weber"}, "datePublished": "2023-05-12T14:03:00+02:00",
          "articleBody": text, "comment": [{"@type": "Comment", "text": "A comment that is longer than the article body " * 3}]}
    html = (f"<html><head><title>Understanding Rust lifetimes | Dev Notes</title><script type='application/ld+json'>"
            f"{json.dumps(ld)}</script></head><body><div id='root'></div><script src='/main.js'></script></body></html>")
    result = extract_article(html, url="https://devnotes.example.com/posts/rust-lifetimes")
    assert result.body == "Lifetimes are the part of Rust that confuses newcomers most.\n\nThey are constraints, not durations."
    assert (result.title, result.author) == ("Understanding Rust lifetimes", "Karl Weber")
    comment_only = html.replace('"articleBody"', '"abstract"')
    with pytest.raises(NoBodyFound):
        extract_article(comment_only)


@pytest.mark.parametrize(
    ("html", "url", "furniture"),
    [
        ("<h1 class='title-article' id='articleContentId'>装饰器</h1><div id='content_views'>{body}"
         "<pre class='prettyprint'><code>def deco(f):\n    return f\n</code><ul class='pre-numbering'>"
         "<li>1</li><li>2</li><li>3</li></ul></pre></div>",
         "https://blog.csdn.net/u/article/details/130623456", "\n\n1\n\n2"),
        ("<h1 class='article-title'>装饰器</h1><div id='article-root'><div class='article-viewer markdown-body'>{body}"
         "<pre><div class='code-block-extension-header'><span>python</span><span>复制代码</span></div>"
         "<code>def deco(f):\n    return f\n</code></pre></div></div>",
         "https://juejin.cn/post/7238000000000000001", "复制代码"),
    ],
)
def test_code_block_furniture_stays_out_of_the_body(html: str, url: str, furniture: str) -> None:
    result = extract_article(f"<html><body>{html.format(body=PARAGRAPHS)}</body></html>", url=url)
    assert result.body.endswith("def deco(f):\n    return f")
    assert furniture not in result.body


def test_an_article_section_of_headed_links_is_no_block_of_cards() -> None:
    """A year-in-review post lists its most read posts as headed links with a paragraph
    each: the article's own section, after its intro, not a block of cards to cut out."""
    items = "".join(
        f"<div><h3><a href='/posts/{i}/'>Post number {i}</a></h3><p>{'Why readers liked it, in a sentence. ' * 3}</p></div>"
        for i in range(4)
    )
    html = ("<html><body><header><a href='/'>Lina writes</a> <a href='/about'>About</a></header><div class='entry'>"
            "<h1>2023 in review</h1><p>Another year of writing here. I published 31 posts, more than ever.</p>"
            f"<h2>Most popular</h2>{items}<p>Thanks for reading, and see you in 2024.</p></div></body></html>")
    result = extract_article(html, url="https://lina.example/2023/12/2023-in-review/")
    assert result.recommendations == ()
    assert "Post number 3" in result.body
    assert "Thanks for reading" in result.body
    # the intro as the container's own text, not in a paragraph of its own
    bare = ("<html><body><div class='entry'>Another year of writing here, and more readers than ever, thank you."
            f"<h2>Most popular</h2>{items}</div></body></html>")
    result = extract_article(bare, url="https://lina.example/2023/12/2023-in-review/")
    assert result.recommendations == ()
    assert "Post number 3" in result.body


def test_a_read_more_link_is_no_block_heading_and_repeated_card_labels_are_no_titles() -> None:
    cards = "".join(
        f"<div class='card'><h4><a href='/c/news'>News</a></h4><h3><a href='/p/{i}'>Story {i} of the week</a></h3></div>"
        for i in range(3)
    )
    html = (f"<html><body><article>{PARAGRAPHS}<p><a href='/issues/112/full'>Read more…</a></p></article>"
            f"<aside><h2>Related stories</h2>{cards}</aside></body></html>")
    result = extract_article(html, url="https://news.example/p/9")
    assert [r.title for r in result.recommendations] == [f"Story {i} of the week" for i in range(3)]
    assert "Paragraph 5 of the article" in result.body


def test_the_fallback_for_a_known_block_labels_it_with_its_heading_not_a_card_title() -> None:
    cards = "".join(f"<div><h3><a href='/2024/0{i + 1}/bread-{i}/'>Bread {i}</a></h3></div>" for i in range(1, 4))
    html = ("<html><head><meta name='generator' content='WordPress 6.5'></head><body>"
            f"<article class='post'><h1 class='entry-title'>Post title</h1><div class='entry-content'>{PARAGRAPHS}</div>"
            f"<section class='related-posts'>{cards}<h4>You may also like</h4></section></article></body></html>")
    result = extract_article(html, url="https://example.org/2024/05/post-title/")
    assert [r.title for r in result.recommendations] == [f"Bread {i}" for i in range(1, 4)]
    assert {r.block for r in result.recommendations} == {"You may also like"}


def test_a_commenters_name_is_not_the_posts_author() -> None:
    comment = ("<li class='comment' itemtype='https://schema.org/Comment' itemscope><div itemprop='author' itemscope>"
               "<span itemprop='name'>Gaye</span></div><p>Great post!</p></li>")
    html = ("<html><head><meta name='generator' content='WordPress 6.5'>"
            "<script type='application/ld+json'>{\"@type\": \"BlogPosting\", \"author\": {\"@type\": \"Person\", "
            "\"name\": \"Pamela Wilson\"}}</script></head><body><article class='post'><h1 class='entry-title'>Focus</h1>"
            f"<div class='entry-content'>{PARAGRAPHS}</div></article><ol class='comment-list'>{comment}</ol></body></html>")
    assert extract_article(html, url="https://example.org/2024/05/focus/").author == "Pamela Wilson"


@pytest.mark.parametrize(
    ("objects", "description", "body"),
    [
        ([{"@type": "BlogPosting", "articleBody": "A List<String> holds strings and nothing else; the compiler checks it."}],
         None, "A List<String> holds strings and nothing else; the compiler checks it."),
        ([{"@type": "BlogPosting", "articleBody": "Lifetimes are constraints, not durations, as this post explains."}],
         "Lifetimes are constraints, not durations, as this post explains.", None),  # only the description
        ([{"@type": "BlogPosting", "articleBody": "The first of two posts on this tag page, in full."},
          {"@type": "BlogPosting", "articleBody": "The second of two posts on this tag page, in full."}], None, None),
        ([{"@type": "NewsArticle", "articleBody": "A teaser of the story that stops before it is…"}], None, None),
        ([{"@type": "BlogPosting", "articleBody": "The lead sentence of the post. " + "More of the post follows here. " * 5}],
         "The lead sentence of the post. More of…", "The lead sentence of the post. " + "More of the post follows here. " * 4
         + "More of the post follows here."),  # a description that is the body's first words
    ],
)
def test_the_structured_body_is_one_articles_full_text(objects: list[dict], description: str | None,
                                                       body: str | None) -> None:
    meta = f"<meta name='description' content='{description}'>" if description else ""
    html = (f"<html><head>{meta}<script type='application/ld+json'>{json.dumps(objects)}</script></head>"
            "<body><div id='root'></div></body></html>")
    if body is None:
        with pytest.raises(NoBodyFound):
            extract_article(html, url="https://eng.example/blog/x")
    else:
        assert extract_article(html, url="https://eng.example/blog/x").body == body


def test_cards_after_links_posts_sharing_a_title_and_article_sections_without_card_markup() -> None:
    """Links before a block's heading (post navigation, tags) are no prose; related posts of a
    series may share a title; an article's sections (pandoc, Quarto) are no cards."""
    excerpt = "A short excerpt of the related post that a theme shows under its title on the card."
    cards = "".join(f"<article class='related-card'><h3><a href='/weeknotes-{i}/'>Weeknotes</a></h3><p>{excerpt}</p></article>"
                    for i in range(3))
    nav = "<nav><a href='/older-post-with-a-long-title/'>← An older post with a rather long title here</a></nav>"
    html = (f"<html><body><main><article class='post'><div class='content'>{PARAGRAPHS}</div></article>"
            f"<div class='related'>{nav}<h2>You may also like</h2>{cards}</div></main></body></html>")
    result = extract_article(html, url="https://ana.example/posts/weeknotes-2024-05-12/")
    assert [r.title for r in result.recommendations] == ["Weeknotes"] * 3

    sections = "".join(
        f"<section class='level3'><h3><a href='/posts/{i}/'>Post number {i}</a></h3><p>{'Why readers liked it. ' * 5}</p></section>"
        for i in range(3))
    quarto = (f"<html><body><main><section class='level2'><h2>Most popular</h2>{sections}</section>"
              "<section class='level2'><p>Thanks for reading, and see you next year.</p></section></main></body></html>")
    result = extract_article(quarto, url="https://lina.example/posts/2023-in-review/")
    assert result.recommendations == ()
    assert "Post number 2" in result.body
