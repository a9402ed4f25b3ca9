"""decode_html: the bytes win over wrong declarations."""

from __future__ import annotations

import pytest

from crawler.encoding import decode_html

ZH = (
    "这是一篇关于中文编码的文章。我们在网页中经常看到乱码，因为服务器声明的字符集和实际的字节不一致。"
    "今天我们来讨论如何正确地识别编码，并且把文字还原出来。"
) * 3
TW = (
    "這是一篇關於中文編碼的文章。我們在網頁中經常看到亂碼，因為伺服器聲明的字元集和實際的位元組不一致。"
    "今天我們來討論如何正確地識別編碼。"
) * 3
JA = "これは日本語の文章です。文字コードを正しく判定できるかを確かめます。" * 3
FR = "Café crème brûlée, naïve façade — déjà vu. Le garçon a commandé un thé glacé à midi."
RU = ("«Это статья о том, как правильно определять кодировку страницы», — сказал Иван. "
      "Мы часто видим непонятные символы, потому что сервер не указал кодировку.") * 2
DE = "Grüße aus Köln: Die Straße ist schön, und das Frühstück war köstlich. Übermorgen fährt er." * 2


#: Codecs that read a family correctly (w3lib maps gbk/gb2312 and big5 to their supersets).
FAMILIES = {"gbk": {"gbk", "gb18030"}, "gb18030": {"gb18030"}, "big5": {"big5", "big5hkscs", "cp950"}}


def page(text: str, head: str = "") -> str:
    return f"<html><head>{head}<title>t</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("body", "content_type", "expected", "encoding"),
    [
        (page(ZH).encode("gbk"), "text/html; charset=utf-8", ZH, "gb18030"),
        (page(ZH, '<meta charset="gb2312">').encode("utf-8"), None, ZH, "utf-8"),
        (page(ZH, '<meta charset="gb2312">').encode("utf-8"), "text/html; charset=gb2312", ZH, "utf-8"),
        (page(TW).encode("big5"), None, TW, "big5"),
        (page(TW, '<meta charset="big5">').encode("big5"), "text/html", TW, "big5"),
        (page(TW).encode("big5"), "text/html; charset=utf-8", TW, "big5"),
        (
            page(ZH, '<meta http-equiv="Content-Type" content="text/html; charset=gbk">').encode("gbk"),
            "text/html",
            ZH,
            "gbk",
        ),
        (page(ZH).encode("gb18030"), "text/html; charset=iso-8859-1", ZH, "gb18030"),
        (page(FR).encode("cp1252"), "text/html; charset=iso-8859-1", FR, "cp1252"),
        (page(FR).encode("utf-8"), "text/html; charset=iso-8859-1", FR, "utf-8"),
        (page(JA).encode("shift_jis"), None, JA, "cp932"),
        (page("plain ascii").encode(), None, "plain ascii", "utf-8"),
        (page(RU).encode("cp1251"), None, RU, "cp1251"),
        (page(RU).encode("cp1251"), "text/html; charset=iso-8859-1", RU, "cp1251"),
        (page(FR).encode("cp1252"), None, FR, "cp1252"),
        (page(DE).encode("cp1252"), None, DE, "cp1252"),
        (page(ZH).encode("gbk"), None, ZH, "gb18030"),
        (page(TW).encode("big5"), "text/html; charset=windows-1251", TW, "big5"),
    ],
    ids=[
        "gbk-served-as-utf8",
        "meta-gb2312-but-utf8",
        "header-and-meta-gb2312-but-utf8",
        "big5-undeclared",
        "big5-declared",
        "big5-served-as-utf8",
        "gbk-declared",
        "gb18030-served-as-latin1",
        "cp1252-declared-latin1",
        "utf8-served-as-latin1",
        "shift-jis-undeclared",
        "ascii",
        "cp1251-undeclared",
        "cp1251-served-as-latin1",
        "cp1252-french-undeclared",
        "cp1252-german-undeclared",
        "gbk-undeclared",
        "big5-served-as-cp1251",
    ],
)
def test_decodes_to_the_right_text(
    body: bytes, content_type: str | None, expected: str, encoding: str
) -> None:
    text, used = decode_html(body, content_type)
    assert expected in text
    assert used in FAMILIES.get(encoding, {encoding})


def test_a_few_invalid_bytes_keep_utf8() -> None:
    body = page(ZH).encode("utf-8").replace("编码".encode(), b"\xff\xfe", 1)
    text, used = decode_html(body, "text/html; charset=utf-8")
    assert used == "utf-8"
    assert "我们在网页中经常看到乱码" in text
    assert "\ufffd" in text


def test_a_few_invalid_bytes_without_declaration_keep_utf8() -> None:
    body = page(ZH).encode("utf-8") + b"\x80\x81 trailing junk"
    text, used = decode_html(body)
    assert used == "utf-8"
    assert ZH[:30] in text


def test_bom_decides() -> None:
    text, used = decode_html(b"\xef\xbb\xbf" + page(ZH).encode("utf-8"), "text/html; charset=gbk")
    assert used == "utf-8"
    assert ZH in text
    assert not text.startswith("\ufeff")


def test_empty_body() -> None:
    assert decode_html(b"") == ("", "utf-8")


def test_binary_bytes_do_not_crash() -> None:
    body = bytes(range(256)) * 400
    text, used = decode_html(body, "application/octet-stream")
    assert isinstance(text, str)
    assert used


def test_a_stray_byte_in_a_mostly_ascii_utf8_page_keeps_utf8() -> None:
    body = page("An English page about a café in Zürich, naïve and charming. " * 3).encode("utf-8")
    body = body.replace(b"charming", b"charm\xffing", 1)
    for content_type in (None, "text/html; charset=utf-8"):
        text, used = decode_html(body, content_type)
        assert used == "utf-8"
        assert "café in Zürich" in text


@pytest.mark.parametrize("content_type", [None, "text/html; charset=utf-8"])
def test_a_short_gbk_page_is_not_read_as_korean(content_type: str | None) -> None:
    # Chinese read with the Korean table looks like Hangul; Korean has spaces between words
    html = (
        "<html><head><title>巷口的旧书店</title></head><body><h1>巷口的旧书店</h1>"
        "<p>我家楼下的巷口有一间旧书店，店面不大，只放得下六排木头书架。</p></body></html>"
    )
    text, encoding = decode_html(html.encode("gbk"), content_type)
    assert text == html
    assert encoding in FAMILIES["gbk"]


def test_a_short_korean_page_stays_korean() -> None:
    html = page("저는 매일 아침 커피를 마시면서 신문을 읽습니다. 한국어 문장은 띄어쓰기를 합니다.")
    text, encoding = decode_html(html.encode("euc-kr"))
    assert text == html
