"""Chinese news and self-media platforms, where reposting is rife."""

from __future__ import annotations

from crawler.platforms.base import Platform, RecommendationBlock

BAIJIAHAO = Platform(
    name="baijiahao",
    timezone="+08:00",
    domains=("baijiahao.baidu.com", "mbd.baidu.com"),
    markers=("#left-container #article .article-content", "div.recent-article + div.related-news"),
    title=(".article-title h2", ".article-title", "h2"),
    author=(".author-name", ".author-txt .author-name", "p.author-name"),
    published=(".article-source .date", ".date"),
    body=("#article .article-content", ".article-content"),
    recommendations=(
        RecommendationBlock(
            container=".recent-article", heading="作者最新文章", item="li", title=".item-title, a"
        ),
        RecommendationBlock(
            container=".related-news", heading="相关文章", item="li", title=".news-title, h3, a"
        ),
    ),
    generic_recommendations=False,
)

TOUTIAO = Platform(
    name="toutiao",
    timezone="+08:00",
    domains=("toutiao.com", "toutiaocdn.com"),
    markers=("div.article-box .article-content", "ul.user-card-article-list"),
    article_url=(r"^/(a|i|article/)\d+",),
    title=("h1.article-title", ".article-box h1", "h1"),
    author=(".user-card-name", ".article-sub span:first-child", ".user-card .name", ".article-meta .name"),
    published=(".article-sub span:last-child", ".article-meta span"),  # the 2021 layout: a row of spans
    body=(".article-box .article-content", "article.tt-article-content", ".article-content"),
    recommendations=(
        RecommendationBlock(
            container=".detail-feed, .feed-infinite-wrapper",
            heading="相关推荐",
            item="li",
            title=".title-box a, .title-box",
            exclude=".footer-bar",
        ),
        RecommendationBlock(
            container="ul.user-card-article-list", heading="作者最新文章", item="li", title="a"
        ),
        RecommendationBlock(
            container="ul.picture-list",
            heading="精彩图片",
            item="li",
            title="p, a",
            exclude=".pic-count, .count, span",
        ),
    ),
    generic_recommendations=False,
)

IFENG = Platform(
    name="ifeng",
    timezone="+08:00",
    domains=("ifeng.com",),
    markers=("[class^='main_content-'] [class^='text-']", "[class*=' main_content-']"),
    title=("h1[class^='topic-']", "[class^='artical-'] h1", "h1"),
    author=("[class^='source-'] a", "[class^='source-']", "meta[name='og:category ']"),
    source=("[class^='source-']",),
    published=("[class^='time-']", "p[class^='time-']"),
    body=("[class^='main_content-'] [class^='text-']", "[class^='main_content-']"),
    recommendations=(
        RecommendationBlock(
            container="[class^='list_box-']",
            heading="为您推荐",
            item="[class^='info_box-'], li",
            title="[class^='text-'] a, h2 a, p a, a",
        ),
        RecommendationBlock(
            container="[class^='hotList-']",
            heading_selector="[class^='title-'] span, h4, h3",
            heading="热门文章",
            item="li",
            title="[class^='title-'], p, a",
        ),
    ),
    generic_recommendations=False,
)

THEPAPER = Platform(
    name="thepaper",
    timezone="+08:00",
    domains=("thepaper.cn",),
    markers=("div.news_txt", "div.newscontent h1.news_title"),
    article_url=(r"^/newsDetail_forward_\d+",),
    title=("h1.news_title", "h1"),
    author=(".news_about p:first-child", ".news_about"),
    published=(".news_about p span", ".news_about"),
    body=("div.news_txt",),
    drop=(".news_infor_extra",),
    recommendations=(
        RecommendationBlock(
            container=".ctread_bd",
            heading="相关推荐",
            item=".ctread_li",
            title=".ctread_name a, .ctread_name",
        ),
        RecommendationBlock(container="ul.list_hot", heading="热新闻", item="li", title="a"),
        RecommendationBlock(container="ul.topic_hot", heading="热话题", item="li", title="p a, a"),
        RecommendationBlock(
            container=".rtnews_hot", heading="热门推荐", item=".rmtj_news, li", title="p a, h2 a, a"
        ),
    ),
    generic_recommendations=False,
)

PEOPLE = Platform(
    name="people",
    timezone="+08:00",
    domains=("people.com.cn",),
    markers=("#rwb_zw", "div.box_con#rwb_zw"),
    title=(".text_title h1", "h1"),
    author=(".text_title .author", ".author"),
    source=(".box01 .fl a", ".rm_txt .col-1-1 a"),
    published=(".box01 .fl", ".text_title .box01", ".rm_txt .col-1-1"),  # the 2020 layout: .rm_txt
    body=("#rwb_zw", ".rm_txt_con"),
    drop=(".zdfy", ".edit", ".box_pic", "center"),
    recommendations=(
        RecommendationBlock(
            container="#rwb_tjyd", heading="推荐阅读", item=".hdNews p strong, .hdNews strong", title=""
        ),
        RecommendationBlock(container="#rwb_xgxw", heading="相关新闻", item="li", title="a"),
        RecommendationBlock(container="#rwb_jctj", heading="精彩图集", item="li", title="a"),
        RecommendationBlock(container="#rwb_rdtj", heading="热点推荐", item="li", title="a"),
        RecommendationBlock(container="#rwb_jctjr", heading="精彩推荐", item="li", title="a"),
        RecommendationBlock(container="#rwb_sptj", heading="视频推荐", item="li", title="p, a"),
        RecommendationBlock(container="#rwb_rdph", heading="热点排行", item="li", title="a"),
    ),
    generic_recommendations=False,
)

PLATFORMS = (BAIJIAHAO, TOUTIAO, IFENG, THEPAPER, PEOPLE)
