"""Chinese blogging platforms."""

from __future__ import annotations

from crawler.platforms.base import ApiListing, Discovery, Platform, RecommendationBlock

JIANSHU = Platform(
    name="jianshu",
    timezone="+08:00",
    domains=("jianshu.com",),
    markers=("div.show-content", "article._2rhmJa", "section.ouvJEz", "[data-platform='jianshu']"),
    article_url=(r"^/p/[0-9a-f]+",),
    title=("h1.title", "h1._1RuRku", "h1"),
    author=(".author .name a", "span._22gUMi", "a._1OhGeD", "[itemprop='author']", ".author .name"),
    published=(".author .publish-time", "time", ".publish-time"),
    body=("div.show-content", "article._2rhmJa", "article"),
    drop=(".show-foot", "._2Nttfz", ".copyright", ".image-caption:empty"),
    recommendations=(
        # 2017-era layout: server-rendered list with explicit count classes.
        RecommendationBlock(
            container="div.seo-recommended-notes, div.recommended-notes",
            heading="推荐阅读更多精彩内容",
            heading_selector="h3, h4, .title-heading",
            item=".note, li",
            title="a.title, .title",
            url="a.title, .title a, a",
            author=".author, .name, .nickname",
            snippet=".abstract, p.abstract",
            reads=".reads, .views-count",
            comments=".comments, .comments-count",
            likes=".likes, .likes-count",
        ),
        # Current layout: the list after the comments (hashed classes), each item a story
        # opening, its author, "阅读 N", "评论 N" and the likes as a bare number by an icon.
        RecommendationBlock(
            container="#note-page-comment ~ section, ._1iTR78",
            heading="推荐阅读更多精彩内容",
            item="li, [role=listitem]",
            title=".em6wEs a, a[href*='/p/']",
            url=".em6wEs a, a[href*='/p/']",
            author="a[href*='/u/']",
            trailing_count="likes",
        ),
        # Current layout, sidebar: "推荐阅读" box of titles with their reads.
        RecommendationBlock(
            container="aside section._3Z3nHf",
            heading_selector="h3",
            heading_match="推荐|阅读|热门",
            item=".cuOxAY, [role=listitem]",
            title="a",
            reads="._19haGh",
        ),
    ),
    discovery=Discovery(
        home="https://www.jianshu.com/",
        listing_pages=("u/{user}",),  # a collection (专题) is crawled from its URL: -a url=.../c/ID
        next_page="a.next, a[rel=next], link[rel=next]",
    ),
)

CSDN = Platform(
    name="csdn",
    timezone="+08:00",
    domains=("csdn.net",),
    markers=("#content_views", "div.blog-content-box"),
    article_url=(r"/article/details/\d+",),
    title=("h1#articleContentId", "h1.title-article", "h1"),
    author=(
        ".follow-nickName",
        "a.follow-nickName",
        ".profile-intro-name-boxTop a span.name",
        ".profile-name",
    ),
    published=("span.time", ".article-info-box .time"),
    body=("#content_views", "article.baidu_pl"),
    drop=(".hide-article-box", ".article-copyright", ".csdn-ad", "ul.pre-numbering"),  # code blocks' line numbers
    recommendations=(
        RecommendationBlock(
            container=".recommend-box",
            heading="相关推荐",
            item=".recommend-item-box",
            title=".tit, .title",
            url="a",
            snippet=".desc",
            exclude=".tag, .read, img",
        ),
        RecommendationBlock(
            container="#asideHotArticle",
            heading="热门文章",
            heading_selector=".aside-title",
            item="li",
            title="a",
            exclude=".read, img",
        ),
        RecommendationBlock(
            container="#asideArchive, #asideNewArticle",
            heading="最新文章",
            heading_selector=".aside-title",
            item="li",
            title="a",
            exclude=".read, img",
        ),
        RecommendationBlock(
            container="#recommend-right .article-previous, #recommend-right #article",
            heading="热门文章",
            item="dd, li",
            title="a",
            exclude=".read, img",
        ),
    ),
    generic_recommendations=False,
    discovery=Discovery(
        home="https://blog.csdn.net/",
        listing_pages=("{user}/article/list/1",),
        next_page="li.js-page-next a, a.next, a[rel=next], link[rel=next]",
    ),
)

CNBLOGS = Platform(
    name="cnblogs",
    timezone="+08:00",
    domains=("cnblogs.com",),
    markers=("#cnblogs_post_body",),
    article_url=(r"/p/[\w-]+(\.html)?$",),
    title=("#cb_post_title_url", "h1.postTitle a", ".postTitle", "h1"),
    # who posted it (the "posted @" line) first: the header is the blog's title, which its owner may change
    author=(".postDesc a[href*='cnblogs.com/']", "#Header1_HeaderTitle"),
    published=("#post-date", ".postDesc span"),
    body=("#cnblogs_post_body",),
    drop=("#MySignature", "#blog_post_info_block"),
    recommendations=(
        RecommendationBlock(container="#under_post_card1", heading="编辑推荐", item="a", title=""),
        RecommendationBlock(container="#under_post_card2", heading="阅读排行", item="a", title=""),
        RecommendationBlock(
            container="#TopViewPostsBlock", heading="阅读排行榜", item="li", title="a", strip_rank=True
        ),
        RecommendationBlock(
            container="#TopFeedbackPostsBlock", heading="评论排行榜", item="li", title="a", strip_rank=True
        ),
        RecommendationBlock(
            container="#TopDiggPostsBlock", heading="推荐排行榜", item="li", title="a", strip_rank=True
        ),
    ),
    generic_recommendations=False,
    discovery=Discovery(
        home="https://www.cnblogs.com/",
        feeds=("{user}/rss",),
        listing_pages=("{user}/",),
        next_page="#nav_next_page a, a[rel=next]",
    ),
)

ZHIHU = Platform(
    name="zhihu",
    timezone="+08:00",
    domains=("zhuanlan.zhihu.com", "zhihu.com"),
    markers=(".Post-RichText", "article.Post-Main"),
    article_url=(r"^/p/\d+",),
    title=("h1.Post-Title", "h1"),
    author=(".AuthorInfo-name .UserLink-link", ".AuthorInfo-name", "meta[itemprop='name']"),
    published=(".ContentItem-time", "meta[itemprop='datePublished']"),
    body=(".Post-RichText", ".RichText.ztext"),
    recommendations=(
        RecommendationBlock(
            container=".Recommendations-Main, .PostIndex-Recommendations",
            heading="推荐阅读",
            item=".PagingList-item, li, a",
            title=".PostItem-title, h2, a",
        ),
    ),
    discovery=Discovery(
        home="https://zhuanlan.zhihu.com/",
        api=ApiListing(
            url="api/columns/{user}/articles?limit=20",
            items="data",
            link="url",
            date="created",
            paging="next",
            next="paging.next",
            end="paging.is_end",
        ),
    ),
    needs_cookies=True,
)

JUEJIN = Platform(
    name="juejin",
    timezone="+08:00",
    domains=("juejin.cn", "juejin.im"),
    markers=("#article-root", "div.article-viewer.markdown-body"),
    article_url=(r"^/post/\d+",),
    title=("h1.article-title", "h1"),
    author=(".author-info-block .author-name .name", ".author-name .name", ".username .name", ".author-name"),
    published=("time[datetime]", ".meta-box time"),
    body=("#article-root .article-viewer", "#article-root", ".article-content"),
    drop=(".code-block-extension-header",),  # a code block's language label and copy button
    recommendations=(
        RecommendationBlock(
            container=".related-entry-sidebar-block",
            heading="相关文章",
            heading_selector=".block-title",
            item=".entry-list .item, .entry-list a",
            title=".entry-title, a",
        ),
        RecommendationBlock(
            container=".recommended-area, .recommend-box",
            heading="推荐阅读",
            heading_selector=".title, .recommend-title",
            item=".entry, li, .item",
            title=".title-row a, .title, a",
        ),
    ),
    discovery=Discovery(
        home="https://juejin.cn/",
        api=ApiListing(
            url="https://api.juejin.cn/content_api/v1/article/query_list",
            items="data",
            link="post/{article_id}",
            date="article_info.ctime",
            paging="cursor",
            body='{"user_id": "{user}", "sort_type": 2, "cursor": "{cursor}"}',
            cursor="cursor",
            more="has_more",
        ),
    ),
)

WECHAT = Platform(
    name="wechat",
    timezone="+08:00",
    domains=("mp.weixin.qq.com",),
    markers=("#js_content",),
    title=("#activity-name", "h1.rich_media_title", "meta[property='og:title']", "h1"),
    author=(
        "#js_author_name",
        "#js_name",
        ".rich_media_meta_nickname a",
        ".rich_media_meta_nickname",
        "meta[name='author']",
    ),
    published=("#publish_time", "em#publish_time"),
    published_pattern=r"var\s+ct\s*=\s*\"(\d{10})\"",
    body=("#js_content",),
    drop=(".qr_code_pc", "#js_pc_qr_code"),
    generic_recommendations=False,
    article_url=(r"^/s(/[\w-]+|$)",),
)

SINA_BLOG = Platform(
    name="sina",
    timezone="+08:00",
    domains=("blog.sina.com.cn",),
    markers=("#sina_keyword_ad_area2", "div.articalContent", ".articalTitle"),
    article_url=(r"/s/blog_[0-9a-z]+(\.html?)?$",),
    title=(".articalTitle .titName", "h2.titName", ".articalTitle h2", "h2"),
    author=("#ownernick", ".info_nm", "strong#ownernick"),
    published=(".articalTitle .time", "span.time"),
    body=("div.articalContent", "#sina_keyword_ad_area2"),
    drop=(".shareUp", ".articalInfo"),
    recommendations=(
        RecommendationBlock(
            container=".relatedArticle, #module_5, .blog_rel",
            heading="相关博文",
            heading_selector=".title, h3",
            item="li",
            title="a",
        ),
    ),
    discovery=Discovery(
        home="http://blog.sina.com.cn/",
        listing_pages=("s/articlelist_{user}_0_1.html",),
        next_page="li.SG_pgnext a, a[rel=next]",
    ),
)

PLATFORMS = (JIANSHU, CSDN, CNBLOGS, ZHIHU, JUEJIN, WECHAT, SINA_BLOG)
