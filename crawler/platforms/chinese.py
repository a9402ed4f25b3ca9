"""Chinese blogging platforms."""

from __future__ import annotations

from crawler.platforms.base import Discovery, Platform, RecommendationBlock

JIANSHU = Platform(
    name="jianshu",
    domains=("jianshu.com",),
    markers=("div.show-content", "article._2rhmJa", "section.ouvJEz", "[data-platform='jianshu']"),
    article_url=(r"^/p/[0-9a-f]+",),
    title=("h1.title", "h1._1RuRku", "h1"),
    author=(".author .name a", "span._22gUMi", "a._1OhGeD", "[itemprop='author']"),
    published=(".author .publish-time", "time", ".publish-time"),
    body=("div.show-content", "article._2rhmJa", "article"),
    drop=(".show-foot", "._2Nttfz", ".copyright"),
    recommendations=(
        RecommendationBlock(
            container="div.seo-recommended-notes, section.recommended-notes, div.recommended-notes",
            heading="推荐阅读更多精彩内容",
            heading_selector="h3, h4, .title-heading",
            item=".note, li",
            title=".title, a.title",
            url="a.title, .title a, a",
            author=".author, .name",
            snippet=".abstract, p.abstract",
            reads=".reads, .views-count",
            comments=".comments, .comments-count",
            likes=".likes, .likes-count",
        ),
    ),
    discovery=Discovery(listing_pages=("u/{user}",), next_page="a.next, a[rel=next]"),
)

CSDN = Platform(
    name="csdn",
    domains=("csdn.net",),
    markers=("#content_views", "div.blog-content-box"),
    article_url=(r"/article/details/\d+",),
    title=("h1#articleContentId", "h1.title-article", "h1"),
    author=(".follow-nickName", "a.follow-nickName", ".profile-intro-name-boxTop a span.name"),
    published=("span.time", ".article-info-box .time"),
    body=("#content_views", "article.baidu_pl"),
    drop=(".hide-article-box", ".article-copyright", ".csdn-ad"),
    recommendations=(
        RecommendationBlock(
            container="div.recommend-box",
            heading="相关推荐",
            item=".recommend-item-box",
            title=".tit, .title",
            url="a",
            snippet=".desc",
        ),
    ),
    discovery=Discovery(listing_pages=("{user}/article/list/1",), next_page="a.next, a[rel=next]"),
)

CNBLOGS = Platform(
    name="cnblogs",
    domains=("cnblogs.com",),
    markers=("#cnblogs_post_body",),
    article_url=(r"/p/[\w-]+(\.html)?$",),
    title=("#cb_post_title_url", "h1.postTitle a", ".postTitle", "h1"),
    author=("#Header1_HeaderTitle", ".postDesc a[href*='cnblogs.com/']"),
    published=("#post-date", ".postDesc span"),
    body=("#cnblogs_post_body",),
    drop=("#MySignature", "#blog_post_info_block"),
    recommendations=(
        RecommendationBlock(container="#under_post_card1", heading="编辑推荐", item="li", title="a"),
        RecommendationBlock(container="#under_post_card2", heading="阅读排行", item="li", title="a"),
    ),
    discovery=Discovery(feeds=("{user}/rss",), listing_pages=("{user}/",)),
)

WECHAT = Platform(
    name="wechat",
    domains=("mp.weixin.qq.com",),
    markers=("#js_content",),
    title=("#activity-name", "h1.rich_media_title", "h1"),
    author=("#js_name", "#js_author_name", ".rich_media_meta_nickname"),
    published=("#publish_time", "em#publish_time"),
    body=("#js_content",),
    drop=(".qr_code_pc", "#js_pc_qr_code"),
)

PLATFORMS = (JIANSHU, CSDN, CNBLOGS, WECHAT)
