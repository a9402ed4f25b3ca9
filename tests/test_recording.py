"""record_page against a real SQLite archive: one text, many sightings, nothing lost."""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

import pytest

from archive import Archive
from pipelines.dedup import DedupParams, fingerprint
from pipelines.extract import Extraction
from pipelines.recording import PageRecord, copy_text, fingerprint_params, rebuild, record_page
from tests.dedup_texts import (
    ESSAY,
    ESSAY_TITLE,
    POST,
    csdn_repost,
    excerpt,
    full_width_punctuation,
    half_width_punctuation,
    traditional,
)

PARAMS = DedupParams()
JIANSHU = "https://www.jianshu.com/p/0a1b2c3d4e5f"


@pytest.fixture
def archive(tmp_path: Path):
    with Archive(tmp_path / "archive.db") as archive:
        archive.check_fingerprint_params(fingerprint_params(PARAMS))
        yield archive


def page(url: str, body: str, published: str | None, fetched: str = "2024-06-01T00:00:00+00:00",
         declared: str | None = None) -> PageRecord:
    extraction = Extraction(body=body, title=ESSAY_TITLE, published=published, declared_original=declared)
    return PageRecord(url=url, fetched_at=fetched, extraction=extraction,
                      fingerprint=fingerprint(body, PARAMS))


def record(archive: Archive, *pages: PageRecord) -> list[int]:
    return [record_page(archive, p, PARAMS).text_id for p in pages]


def assert_every_copy_reconstructs(archive: Archive, pages: list[PageRecord]) -> None:
    bodies = {p.url: p.extraction.body for p in pages}
    for text in archive.iter_texts():
        for sighting in archive.sightings_of(text["id"]):
            assert copy_text(text["body"], sighting) == bodies[sighting["url"]]


def relations(archive: Archive, text_id: int) -> dict[str, str]:
    return {s["url"]: s["relation"] for s in archive.sightings_of(text_id)}


FOUR_COPIES = [
    page("https://blog.csdn.net/someone/article/details/1", csdn_repost(ESSAY), "2024-03-02T09:00:00",
         declared=JIANSHU),
    page("https://www.cnblogs.com/someone/p/2.html", half_width_punctuation(ESSAY), "2024-03-05T09:00:00"),
    page("https://example.com.tw/3", full_width_punctuation(traditional(ESSAY)), "2024-03-09T09:00:00"),
    page(JIANSHU, ESSAY, "2024-03-01T08:00:00"),
]


def test_four_copies_of_an_essay_end_as_one_text_with_the_jianshu_original(archive):
    text_ids = record(archive, *FOUR_COPIES)
    assert len(set(text_ids)) == 1
    text = archive.text(text_ids[0])
    assert text["body"] == ESSAY
    assert text["sighting_count"] == 4
    by_url = {s["url"]: s for s in archive.sightings_of(text["id"])}
    assert by_url[JIANSHU]["relation"] == "original"
    assert text["canonical_sighting_id"] == by_url[JIANSHU]["id"]
    assert by_url[JIANSHU]["body_diff"] is None
    for url, sighting in by_url.items():
        if url != JIANSHU:
            assert sighting["relation"] in ("exact", "near")
            assert sighting["similarity"] is not None
            assert sighting["body_diff"] is not None
    assert_every_copy_reconstructs(archive, FOUR_COPIES)
    assert archive.stats().texts == 1


def test_declared_original_wins_over_an_earlier_date(archive):
    declared = page("https://blog.example/original", ESSAY, "2024-05-01T00:00:00")
    early_copy = page("https://copies.example/1", csdn_repost(ESSAY), "2024-01-01T00:00:00",
                      declared="https://blog.example/original")
    [text_id, _] = record(archive, early_copy, declared)
    assert relations(archive, text_id)["https://blog.example/original"] == "original"


def test_excerpt_first_then_full_copy_switches_the_stored_body_and_loses_nothing(archive):
    teaser = page("https://feed.example/teaser", excerpt(ESSAY, 0.4), "2024-03-01T00:00:00")
    full = page("https://blog.example/full", ESSAY, "2024-03-03T00:00:00")
    repost = page("https://repost.example/r", csdn_repost(ESSAY), "2024-03-04T00:00:00")
    text_ids = record(archive, teaser, full, repost)
    assert len(set(text_ids)) == 1
    text = archive.text(text_ids[0])
    assert text["body"] == ESSAY  # never an excerpt when a full copy exists
    by_url = {s["url"]: s for s in archive.sightings_of(text["id"])}
    assert by_url["https://feed.example/teaser"]["relation"] == "original"  # earliest published
    assert by_url["https://feed.example/teaser"]["containment"] > 0.8
    assert by_url["https://repost.example/r"]["relation"] in ("exact", "near")
    assert_every_copy_reconstructs(archive, [teaser, full, repost])


def test_later_crawl_finding_an_earlier_original_switches_canonical(archive):
    later = [FOUR_COPIES[1], FOUR_COPIES[2]]
    [text_id, _] = record(archive, *later)
    assert relations(archive, text_id)["https://www.cnblogs.com/someone/p/2.html"] == "original"
    record(archive, FOUR_COPIES[3])
    rel = relations(archive, text_id)
    assert rel[JIANSHU] == "original"
    assert rel["https://www.cnblogs.com/someone/p/2.html"] in ("exact", "near")
    assert archive.text(text_id)["body"] == ESSAY
    assert_every_copy_reconstructs(archive, [*later, FOUR_COPIES[3]])


def test_excerpt_of_a_stored_text_is_an_excerpt_sighting(archive):
    full = page("https://blog.example/post", POST, "2024-01-01T00:00:00")
    teaser = page("https://feed.example/post", excerpt(POST, 0.35, " ... Read more"), "2024-01-02T00:00:00")
    [a, b] = record(archive, full, teaser)
    assert a == b
    sighting = next(s for s in archive.sightings_of(a) if s["url"] == "https://feed.example/post")
    assert sighting["relation"] == "excerpt"
    assert sighting["containment"] > 0.8


SERIES_INTRO = (
    "This post is part of our winter reading series. Every week through January and February one of the "
    "volunteers who run the library's reading circle picks a story that stayed with them, writes down why, "
    "and shares a few questions we can talk about at the Thursday meeting. If you are new here, welcome: the "
    "circle meets at half past seven in the upstairs room, tea is free, and nobody has to have read anything "
    "in advance to join the conversation."
)
SECOND_PART = (
    "The ferry across the estuary stopped running the winter I turned eleven, and for a while nobody in "
    "the village believed it. The boat had crossed four times a day for as long as anyone could remember, "
    "carrying schoolchildren, crates of fish, a doctor on Tuesdays and the post twice a week. When the "
    "council announced the bridge, my grandfather said it would never be finished, and he was nearly right: "
    "it took nine years, two contractors and one flood that carried half the scaffolding out to sea. In "
    "the meantime we drove the long way round through the market town, an hour each way, and the shop by "
    "the slipway closed, then the pub, then the chapel became a holiday let with a hot tub in the garden."
)


SERIES_FOOTER = (
    "Questions for Thursday: what surprised you, what would you have asked, and what has changed since. "
    "About the circle: we are a group of neighbours who have been meeting since the library reopened, and "
    "we take turns choosing and writing. Reply to this post with your own pick for next week."
)


def test_a_teaser_of_one_post_does_not_bridge_two_posts_of_a_series(archive):
    # two posts share a long intro and footer around 60 words of their own; a feed
    # teaser of part 1 is mostly the intro, and part 2 holds it: part 2 is no copy of
    # part 1 through it
    def post(words: str) -> str:
        return SERIES_INTRO + "\n" + " ".join(words.split()[:60]) + "\n" + SERIES_FOOTER

    part_1, part_2 = post(POST), post(SECOND_PART)
    pages = [page("https://circle.example/part-1", part_1, "2024-01-05T00:00:00"),
             page("https://feeds.example/part-1", part_1[: int(len(part_1) * 0.3)] + " … Read more",
                  "2024-01-05T12:00:00"),
             page("https://circle.example/part-2", part_2, "2024-01-12T00:00:00")]
    first, teaser, second = record(archive, *pages)
    assert first == teaser
    assert second != first


CIRCLE_INTRO = SERIES_INTRO + (
    " Each week one volunteer picks the story, writes down why it matters to them, and brings a few "
    "questions for the group. We keep a list of every pick since the library reopened, and you can borrow "
    "most of the books from the shelf by the front desk or ask the staff to order one in for you. If you "
    "cannot come in person, the circle also meets online on the first Monday of every month."
)
FIRST_PICK = ("This week Margaret has chosen The Ferry by Anne Holt, a short novel about a village cut off "
              "when the estuary crossing closes for good one winter.")
SECOND_PICK = ("This week Daniel has chosen Salt Roads by Peter Marsh, essays on the old drovers' tracks "
               "across the high moor above the river valley.")


def announcement(paragraph: str) -> str:
    """A reading circle's weekly post: the long standing intro, the week's own paragraph, a footer."""
    return CIRCLE_INTRO + "\n" + paragraph + "\nSee you on Thursday, and do bring a friend along."


def test_a_teaser_does_not_bridge_two_announcements_that_differ_in_their_own_paragraph(archive):
    # week 2 fails against week 1 (its own paragraph is too long a gap) but is a near copy
    # of a teaser of week 1 (the intro and week 1's first words): no copy of week 1 for that
    teaser = CIRCLE_INTRO + "\n" + " ".join(FIRST_PICK.split()[:8]) + " … Read more"
    pages = [page("https://circle.example/2024/01/week-1", announcement(FIRST_PICK), "2024-01-04T00:00:00"),
             page("https://feeds.example/week-1", teaser, "2024-01-04T12:00:00"),
             page("https://circle.example/2024/01/week-2", announcement(SECOND_PICK), "2024-01-11T00:00:00")]
    ids = record(archive, *pages)
    assert ids[1] == ids[0]
    assert ids[2] != ids[0]
    rebuild(archive, PARAMS)  # chronological: week 1, the teaser, week 2
    texts = {s["url"]: s["text_id"] for s in archive.db.query("select url, text_id from sightings")}
    assert texts["https://circle.example/2024/01/week-2"] != texts["https://circle.example/2024/01/week-1"]


def test_a_copy_that_previews_the_next_announcement_does_not_bridge_the_two(archive):
    # a newsletter's copy of week 1 appends week 2's paragraph ("Next week: …"): it covers
    # week 2 better than week 1 does, but week 2 leaves out week 1's paragraph inside it
    pages = [page("https://circle.example/2024/01/week-1", announcement(FIRST_PICK), "2024-01-04T00:00:00"),
             page("https://newsletter.example/2024-01-04", announcement(FIRST_PICK) + "\nNext week: " + SECOND_PICK,
                  "2024-01-05T00:00:00"),
             page("https://circle.example/2024/01/week-2", announcement(SECOND_PICK), "2024-01-11T00:00:00")]
    ids = record(archive, *pages)
    assert ids[1] == ids[0]
    assert ids[2] != ids[0]


def test_different_texts_stay_apart(archive):
    text_ids = record(archive, page("https://a.example/1", ESSAY, None),
                      page("https://b.example/2", POST, None))
    assert len(set(text_ids)) == 2


def test_rebuild_reclusters_from_stored_data_and_keeps_every_copy(archive):
    pages = [*FOUR_COPIES, page("https://b.example/2", POST, None),
             page("https://feed.example/t", excerpt(ESSAY, 0.4), "2024-04-01T00:00:00")]
    record(archive, *pages)
    before = archive.stats()
    report = rebuild(archive, DedupParams(threshold=0.4))
    after = archive.stats()
    assert (after.texts, after.sightings) == (before.texts, before.sightings) == (2, 6)
    assert report.texts_after == 2
    assert archive.meta()["minhash_bands"] == str(DedupParams(threshold=0.4).bands[0])
    assert_every_copy_reconstructs(archive, pages)
    text = next(t for t in archive.iter_texts() if t["sighting_count"] == 5)
    assert relations(archive, text["id"])[JIANSHU] == "original"


def _with_extra_text(body: str, share: float) -> str:
    """``body`` followed by new sentences worth about ``share`` of its tokens."""
    tokens = fingerprint(body, PARAMS).token_count
    words = [f"addendum{i} remarks" for i in range(int(tokens * share / 2) + 1)]
    return body + "\n\n" + " ".join(words) + "."


def test_a_refetched_original_that_grew_a_little_stays_the_original_and_the_stored_body(archive):
    original = page("https://blog.example/post", POST, "2024-01-01T00:00:00")
    copy = page("https://a.example/post", POST, "2024-01-02T00:00:00")
    [text_id, _] = record(archive, original, copy)
    edited = page(original.url, _with_extra_text(POST, 0.1), "2024-01-01T00:00:00",
                  fetched="2024-07-01T00:00:00+00:00")
    assert record(archive, edited) == [text_id]
    assert archive.text(text_id)["body"] == edited.extraction.body  # the original's current text
    assert relations(archive, text_id)[original.url] == "original"
    assert_every_copy_reconstructs(archive, [edited, copy])


def test_a_slightly_fuller_copy_keeps_the_original_body_and_a_much_fuller_one_replaces_it(archive):
    original = page("https://blog.example/post", POST, "2024-01-01T00:00:00")
    slightly = page("https://a.example/post", _with_extra_text(POST, 0.1), "2024-01-02T00:00:00")
    [text_id, same] = record(archive, original, slightly)
    assert same == text_id
    assert archive.text(text_id)["body"] == POST
    assert relations(archive, text_id) == {original.url: "original", slightly.url: "near"}
    much = page("https://b.example/post", _with_extra_text(POST, 0.4), "2024-01-03T00:00:00")
    record(archive, much)
    assert archive.text(text_id)["body"] == much.extraction.body  # the fullest copy is stored
    assert relations(archive, text_id)[original.url] == "original"
    fullest = page("https://c.example/post", _with_extra_text(POST, 0.45), "2024-01-04T00:00:00")
    record(archive, fullest)  # fuller than the stored (non-original) body by any margin
    assert archive.text(text_id)["body"] == fullest.extraction.body
    assert_every_copy_reconstructs(archive, [original, slightly, much, fullest])


def test_a_post_carried_by_a_digest_that_became_the_stored_body_stays_apart(archive):
    """A digest (or a home page) carrying the original and another post in full becomes
    the text's stored body as its fullest copy; the other post, an excerpt of it, is no
    copy of the text and must not join it. Copies of the original still do."""
    from tests.test_dedup_verify import OTHER_POST

    original = page("https://notes.example/notebook", POST, "2024-01-01T00:00:00")
    digest = page("https://digest.example/week-2", POST + "\n\n" + OTHER_POST, "2024-01-08T00:00:00")
    other = page("https://bakery.example/post", OTHER_POST, "2024-01-05T00:00:00")
    repost = page("https://copy.example/notebook", "Reposted from Notes.\n" + POST, "2024-01-09T00:00:00")
    first, second, third, fourth = record(archive, original, digest, other, repost)
    assert first == second == fourth
    assert third != first
    assert archive.text(first)["body"] == digest.extraction.body  # the fullest copy is stored
    assert_every_copy_reconstructs(archive, [original, digest, other, repost])


def test_copies_of_a_text_whose_original_is_a_teaser_still_join_it(archive):
    """The original's copy may be a teaser (published first, in a feed); a fuller copy is the
    stored body. A later copy that drops the lead paragraph shares most of the teaser but
    would not verify against it: only an overlap with the original's copy is required."""
    paragraphs = POST.split("\n")  # a title and four paragraphs
    teaser = "\n".join(paragraphs[:3])
    without_lead = "\n".join([paragraphs[0], *paragraphs[2:]])
    pages = [page("https://notes.example/feed/notebook", teaser, "2024-01-01T00:00:00"),
             page("https://notes.example/notebook", POST, "2024-01-02T00:00:00"),
             page("https://copy.example/notebook", without_lead, "2024-01-03T00:00:00")]
    ids = record(archive, *pages)
    assert len(set(ids)) == 1
    assert archive.text(ids[0])["body"] == POST
    assert_every_copy_reconstructs(archive, pages)


def test_a_text_left_without_its_sighting_does_not_stop_a_copy_from_being_recorded(archive):
    """A URL that now serves another post moves its sighting to that post's text; the text it
    leaves keeps a stale original. A later copy of that text must still be recorded."""
    from tests.test_dedup_verify import OTHER_POST

    edited = "Reposted from the bakery blog.\n" + OTHER_POST.replace("bakery", "baker's shop", 1)
    first, _, moved = record(archive, page("https://scraper.example/p/100", POST, "2024-01-01"),
                             page("https://bakery.example/post", OTHER_POST, "2024-01-02"),
                             page("https://scraper.example/p/100", edited, "2024-01-03",
                                  fetched="2024-07-01T00:00:00+00:00"))
    assert moved != first
    copy = page("https://copy.example/notebook", "Reposted from Notes.\n" + POST.replace("notebook", "jotter", 1),
                "2024-01-05")
    assert record(archive, copy) == [first]  # no ValueError: body diff does not fit this body


def test_a_copy_made_from_a_feed_excerpt_joins_its_text(archive):
    """WordPress feeds give the first 55 words and close with "The post <title> appeared
    first on <site>."; scrapers republish that. The footer's words, title included, are
    not the text's, and kept an excerpt this short under the coverage it needs."""
    title = "The notebook in my coat pocket, and what a year of writing everything down taught me"
    feed_item = (" ".join(POST.split()[:55]) + " [&#8230;]\n\n"
                 f"The post {title} appeared first on Notes From The Coat Pocket.")
    pages = [page("https://notes.example/2024/01/notebook/", POST, "2024-01-01T00:00:00"),
             page("https://scraper.example/notebook-in-my-coat-pocket", feed_item, "2024-01-02T00:00:00")]
    first, second = record(archive, *pages)
    assert first == second
    assert relations(archive, first)[pages[1].url] == "excerpt"
    assert_every_copy_reconstructs(archive, pages)


def test_a_copy_with_words_split_by_reflowing_joins_its_text(archive):
    """The word view alone would keep it apart (half its word shingles are broken); an
    edit keeps it off the exact path (which compares letters only)."""
    from tests.dedup_texts import split_words
    from tests.test_dedup_verify import OTHER_POST

    pages = [
        page("https://example.org/notebook", POST, "2024-03-01T08:00:00"),
        page("https://medium.com/@someone/notebook",
             split_words(POST.replace("cheap spiral pad", "cheap spiral notepad"), every=2), "2024-03-02T08:00:00"),
        page("https://example.org/bakery", OTHER_POST, "2024-03-03T08:00:00"),
    ]
    first, second, third = record(archive, *pages)
    assert first == second != third
    assert relations(archive, first)["https://medium.com/@someone/notebook"] == "near"
    assert_every_copy_reconstructs(archive, pages)


def test_texts_from_one_template_with_sparse_figures_stay_apart_and_copies_still_merge(archive):
    """A figure every dozen words uncovers one token in twelve: the words alone called
    such texts copies, and one of two different reports would have been lost."""

    def report(seed: int) -> str:
        rng = random.Random(seed)
        return "Weekly report from the allotment society, written up by the secretary for members. " + " ".join(
            f"In bed number {i} this week the tomatoes on the south side of the plot gave "
            f"{rng.randint(2, 40)} kilograms after the rain that the volunteers measured on the gauge."
            for i in range(1, 9)
        )

    repost = "Reposted from the society's newsletter, 2024-06-03.\n" + report(1)
    ids = record(archive, page("https://ex.org/week-1", report(1), "2024-05-01"),
                 page("https://ex.org/week-2", report(2), "2024-05-08"),
                 page("https://copy.example/week-1", repost, "2024-06-03"))
    assert ids[0] != ids[1]
    assert ids[2] == ids[0]


def test_reports_from_one_template_stay_apart_when_they_end_with_a_repost_footer(archive):
    """Paragraphs without closing punctuation are sentences of their own for the figures
    check; a boilerplate footer used to make the normaliser drop the blank lines between
    them, so the whole report was one sentence and the two days merged."""
    cities = ("北京市", "上海市", "广州市", "深圳市", "成都市", "武汉市")

    def report(day: str, seed: int) -> str:
        rng = random.Random(seed)
        lines = [f"{day}全国主要城市空气质量日报"] + [
            f"{city}今日空气质量指数为 {rng.randint(30, 200)} 首要污染物为细颗粒物 建议敏感人群减少户外活动"
            for city in cities
        ]
        return "\n\n".join(lines) + "\n\n欢迎关注我们的公众号，每天推送空气质量日报"

    ids = record(archive, page("https://ex.cn/aqi/0305", report("3月5日", 1), "2024-03-05"),
                 page("https://ex.cn/aqi/0306", report("3月6日", 2), "2024-03-06"),
                 page("https://copy.example/aqi/0305", "转载自空气质量日报\n\n" + report("3月5日", 1), "2024-03-07"))
    assert ids[0] != ids[1]
    assert ids[2] == ids[0]


def test_short_notices_from_one_template_stay_apart_and_a_repost_still_merges(archive):
    """A notice is a sentence or two of template around a date, a time and a place: when
    most of the figures both give in the same places differ, they are two notices, however
    few sentences hold them (the sentence rule needs four)."""
    template = ("Water supply notice from the estate office. Because of repairs to the main pipe, the water "
                "supply to buildings {a} and {b} will be interrupted on May {day} from {start}:00 to {end}:00. "
                "Residents are asked to store enough water in advance, and we apologise for the inconvenience "
                "this causes to everyone living on the estate.")
    first = template.format(a=3, b=5, day=12, start=9, end=17)
    second = template.format(a=7, b=8, day=19, start=8, end=14)
    repost = "Reposted from the estate office noticeboard.\n" + first
    ids = record(archive, page("https://estate.example/notice/1", first, "2024-05-01"),
                 page("https://estate.example/notice/2", second, "2024-05-08"),
                 page("https://forum.example/t/water", repost, "2024-05-02"))
    assert ids[0] != ids[1]
    assert ids[2] == ids[0]


def test_a_longer_repost_with_updated_or_rounded_figures_still_merges(archive):
    """In a post of a few hundred words a few figures are details a repost rounds or an
    update changes; only a short notice is told apart by them."""
    sales = "The little shop sold {a} notebooks in March, {b} in April and {c} in May, at {d} pounds each."
    original = POST + "\n" + sales.format(a=120, b=95, c=143, d="4.45")
    updated = "Reposted from Notes.\n" + POST + "\n" + sales.format(a=131, b=97, c=150, d="4.45")
    rounded = POST + "\n" + sales.format(a=120, b=95, c=143, d="4.5")
    ids = record(archive, page("https://notes.example/notebook", original, "2024-01-01"),
                 page("https://copy.example/notebook", updated, "2024-01-02"),
                 page("https://other.example/notebook", rounded, "2024-01-03"))
    assert len(set(ids)) == 1


def test_copies_whose_figures_differ_only_in_a_counter_line_or_in_writing_still_merge(archive):
    base = " ".join(
        f"In {1990 + i} the club had {1000 + 137 * i:,} members, held {12 + i} meetings and planted "
        f"{40 + 3 * i} trees along the river path, as the minutes of that year record in detail."
        for i in range(8)
    )
    reformatted = base.replace(",", "")  # "1,137" -> "1137"
    footer_one = base + "\n\n3456 views · 78 likes · 9 comments · 12 shares"
    footer_two = reformatted + "\n\n4021 views · 95 likes · 14 comments · 20 shares"
    stacked = textwrap.fill(base, 60) + "\n\nViews\n5120\nLikes\n130\nComments\n22\nShares\n31"
    rewrapped = textwrap.fill(base, 75) + "\n\n阅读 1234\n点赞 56\n在看 7\n转发 8"
    ids = record(archive, page("https://ex.org/club", base, "2024-05-01"),
                 page("https://copy.example/club", footer_one, "2024-05-02"),
                 page("https://other.example/club", footer_two, "2024-05-03"),
                 page("https://third.example/club", stacked, "2024-05-04"),
                 page("https://fourth.example/club", rewrapped, "2024-05-05"))
    assert len(set(ids)) == 1


def test_texts_built_from_one_template_and_short_texts_stay_apart(archive):
    """Neither has a split word to rejoin: the word view's answer stands."""
    intro = ("Results service. These are the provisional figures published by the returning officers overnight, "
             "compiled by our data team from the official declarations in each constituency of the county. ")

    def results(seed: int) -> str:
        rng = random.Random(seed)
        return intro + " ".join(
            f"Constituency number {i}: turnout approximately {rng.randint(40, 80)} percent, conservative "
            f"candidate received {rng.randint(1000, 30000)} votes, labour candidate received "
            f"{rng.randint(1000, 30000)} votes." for i in range(1, 13)
        )

    notice = ("Neighbourhood association announcement: tomorrow's extraordinary general assembly regarding "
              "playground renovations is postponed indefinitely.")  # 14 words: no evidence of a copy
    longer = notice + (" Members interested in volunteering for the committee should contact the secretary "
                       "before Friday evening, thank you all.")
    ids = record(archive, page("https://ex.org/north", results(1), "2024-05-01"),
                 page("https://ex.org/south", results(2), "2024-05-02"),
                 page("https://ex.org/notice", notice, "2024-05-03"),
                 page("https://ex.org/notice-2", longer, "2024-05-04"))
    assert len(set(ids)) == 4
