"""Choosing the original and the stored body among copies."""

from __future__ import annotations

from pipelines.dedup.canonical import Copy, choose_body, choose_original, utc_key


def copy(
    id_: int, url: str, published: str | None, tokens: int = 100, declared: str | None = None
) -> Copy:
    return Copy(id=id_, url=url, published=published, fetched_at=f"2024-01-0{id_}T00:00:00",
                tokens=tokens, declared_original=declared)


def test_earliest_published_wins_then_earliest_fetched():
    copies = [copy(1, "https://a.example/1", "2024-03-01T10:00:00"),
              copy(2, "https://b.example/2", "2024-02-01T10:00:00"),
              copy(3, "https://c.example/3", None)]
    assert choose_original(copies).id == 2
    undated = [copy(3, "https://c.example/3", None), copy(4, "https://d.example/4", None)]
    assert choose_original(undated).id == 3


def test_declared_original_beats_dates_and_chains_are_followed():
    copies = [copy(1, "https://a.example/1", "2024-01-01T00:00:00"),
              copy(2, "https://www.b.example/2/", "2024-05-01T00:00:00", declared="https://c.example/3"),
              copy(3, "https://c.example/3", "2024-06-01T00:00:00"),
              copy(4, "https://d.example/4", "2024-07-01T00:00:00", declared="http://b.example/2")]
    assert choose_original(copies).id == 3


def test_declaration_pointing_outside_the_copies_is_ignored():
    copies = [copy(1, "https://a.example/1", "2024-02-01T00:00:00", declared="https://elsewhere.example/x"),
              copy(2, "https://b.example/2", "2024-01-01T00:00:00")]
    assert choose_original(copies).id == 2


def test_stored_body_is_the_fullest_when_the_original_is_an_excerpt():
    original = copy(1, "https://a.example/1", "2024-01-01T00:00:00", tokens=40)
    full = copy(2, "https://b.example/2", "2024-02-01T00:00:00", tokens=120)
    near = copy(3, "https://c.example/3", "2024-03-01T00:00:00", tokens=45)
    assert choose_body([original, full, near], original).id == 2
    assert choose_body([original, near], original).id == 1


def test_dates_in_other_offsets_and_formats_compare_in_utc():
    beijing = copy(1, "https://a.example/1", "2024-03-01T08:00:00+08:00")  # 00:00 UTC
    london = copy(2, "https://b.example/2", "2024-03-01 01:00:00")
    assert choose_original([london, beijing]).id == 1
    assert utc_key("2024-03-01T09:00:00Z") == "2024-03-01T09:00:00"
    assert utc_key("2024-03-01") == "2024-03-01T00:00:00"
    assert utc_key(None) == ""
