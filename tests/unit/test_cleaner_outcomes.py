"""Nothing is lost silently: every page gives at least one article, or a verdict with a reason
(`clean_page`); an article whose page names no title keeps its body, titled from its text and
flagged `title_inferred`. Pages here are synthetic, written for these tests."""

from __future__ import annotations

import struct
from datetime import UTC, datetime

import pytest

from medwire_cleaner.core import ARTICLES, Cleaning, clean, clean_page
from medwire_cleaner.core.inferred_title import MAX_TITLE_CHARS, infer_title
from medwire_common.reasons import PAGE_VERDICTS
from medwire_common.schemas import RawPage

BODY = (
    "本市卫生健康委员会近日发布通知，要求各级医疗机构进一步加强院内感染防控工作。"
    "通知指出，各医院应当建立健全感染监测制度，定期开展风险评估，落实手卫生和环境清洁消毒措施。"
)
FIRST_SENTENCE = "本市卫生健康委员会近日发布通知，要求各级医疗机构进一步加强院内感染防控工作"
SECOND = (
    "通知同时要求，医疗机构要加强对医务人员的培训，提高防控意识和能力，"
    "对发现的问题及时整改，确保各项措施落到实处，保障患者和医务人员安全。"
)


def page(
    body: bytes, content_type: str = "text/html; charset=utf-8", status: int = 200
) -> Cleaning:
    raw = RawPage.of(
        "http://hospital.test/news/1.html",
        body,
        content_type,
        datetime(2026, 1, 1, tzinfo=UTC),
        status=status,
    )
    return clean_page(raw)


def text_page(text: str) -> Cleaning:
    return page(text.encode("utf-8"), "text/plain; charset=utf-8")


# --- verdicts on pages without an article -----------------------------------------------------


def test_an_error_status_page_is_an_error_status_verdict_naming_the_status() -> None:
    html = f"<html><body><h1>页面不存在</h1><p>{BODY}</p></body></html>".encode()
    cleaning = page(html, status=404)
    assert (cleaning.articles, cleaning.outcome) == ([], "error_status")
    assert "404" in cleaning.reason


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj\n" * 50, "PDF"),
        (b"RIFF\x24\x08\x00\x00WEBPVP8 " + b"\xaa" * 500, "WebP"),
        (struct.pack("<64I", *range(64)) * 20, "control bytes"),
    ],
)
def test_a_body_that_is_not_text_is_a_binary_verdict(body: bytes, what: str) -> None:
    cleaning = page(body)
    assert (cleaning.articles, cleaning.outcome) == ([], "binary")
    assert what in cleaning.reason


@pytest.mark.parametrize("wrap", [False, True])
def test_bytes_that_decode_in_no_charset_are_a_binary_verdict(wrap: bool) -> None:
    garbage = bytes(range(0x80, 0x100)) * 30  # no control bytes, but text in no charset
    body = b"<html><body><p>" + garbage + b"</p></body></html>" if wrap else garbage
    cleaning = page(body)
    assert (cleaning.articles, cleaning.outcome) == ([], "binary")
    assert "do not decode in any charset" in cleaning.reason


def test_a_gbk_page_with_a_stray_nul_is_text_not_binary() -> None:
    html = f"<html><body><h1>加强院内感染防控</h1><p>{BODY}</p><p>{SECOND}</p></body></html>"
    cleaning = page(html.encode("gbk") + b"\x00", "text/html; charset=gbk")
    assert cleaning.outcome == ARTICLES
    assert cleaning.articles[0].title == "加强院内感染防控"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (
            b"<html><head><script>var x = 1;</script><style>p{}</style></head><body> </body></html>",
            "text/html",
        ),
        (b"\n \n\t\n", "text/plain; charset=utf-8"),
        (b"", "text/html"),
    ],
)
def test_a_page_without_text_is_an_empty_verdict(body: bytes, content_type: str) -> None:
    cleaning = page(body, content_type)
    assert (cleaning.articles, cleaning.outcome) == ([], "empty")
    assert cleaning.reason


def test_a_page_of_only_boilerplate_lines_is_a_not_article_verdict() -> None:
    furniture = [
        "责任编辑：王强",
        "上一篇：关于开展义诊活动的通知",
        "下一篇：招聘公告",
        "打印本页 关闭窗口",
    ]
    cleaning = text_page("\n".join(furniture))
    assert (cleaning.articles, cleaning.outcome) == ([], "not_article")
    assert "characters of text but no article" in cleaning.reason


def test_a_section_index_of_links_is_a_not_article_verdict() -> None:
    links = "".join(
        f"<li><a href='/news/{i}.html'>关于开展第{i}期医疗器械注册人培训的通知</a></li>"
        for i in range(20)
    )
    html = f"<html><head><title>通知公告</title></head><body><ul>{links}</ul></body></html>"
    cleaning = page(html.encode())
    assert (cleaning.articles, cleaning.outcome) == ([], "not_article")
    assert "link lists" in cleaning.reason


def test_an_article_with_links_in_its_text_is_still_an_article() -> None:
    html = (
        "<html><body><h1>加强院内感染防控</h1>"
        f"<p>{BODY}详见<a href='/n/1.html'>关于加强院内感染防控工作的通知</a>。</p>"
        f"<p>{SECOND}</p><p>相关阅读：<a href='/n/2.html'>全省开展医疗质量安全检查</a></p>"
        "</body></html>"
    )
    [article] = page(html.encode()).articles
    assert article.title == "加强院内感染防控" and SECOND in article.text


def test_every_verdict_is_a_dead_letter_reason_of_the_cleaner() -> None:
    from medwire_cleaner.core.verdict import BINARY, EMPTY, ERROR_STATUS, NOT_ARTICLE
    from medwire_common.reasons import DEAD_LETTER_REASONS

    assert PAGE_VERDICTS == {ERROR_STATUS, BINARY, EMPTY, NOT_ARTICLE}
    assert PAGE_VERDICTS <= DEAD_LETTER_REASONS["cleaner"]


def test_a_page_with_articles_has_the_articles_outcome_and_clean_returns_them() -> None:
    html = f"<html><body><h1>加强院内感染防控</h1><p>{BODY}</p><p>{SECOND}</p></body></html>"
    cleaning = page(html.encode())
    assert cleaning.outcome == ARTICLES and cleaning.reason == ""
    raw = RawPage.of(
        "http://hospital.test/news/1.html",
        html.encode(),
        "text/html",
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert [a.article_id for a in clean(raw)] == [a.article_id for a in cleaning.articles]
    assert "title_inferred" not in cleaning.articles[0].flags


# --- articles whose page names no title -------------------------------------------------------


def test_a_plain_text_page_that_opens_with_its_body_is_one_article_with_an_inferred_title() -> None:
    cleaning = text_page(f"{BODY}\n{SECOND}\n")
    [article] = cleaning.articles
    assert article.text == f"{BODY}\n{SECOND}"  # the whole body, first sentence included
    assert article.title == FIRST_SENTENCE
    assert "title_inferred" in article.flags


def test_a_plain_text_page_of_long_paragraphs_only_is_one_article() -> None:
    paragraphs = [BODY, SECOND, BODY.replace("本市", "全省"), SECOND.replace("通知", "文件")]
    [article] = text_page("\n\n".join(paragraphs)).articles
    assert article.text.split("\n") == paragraphs
    assert "title_inferred" in article.flags


def test_a_plain_text_page_with_a_headline_keeps_it_as_title_without_the_flag() -> None:
    [article] = text_page(f"全市加强院内感染防控\n{BODY}\n{SECOND}").articles
    assert article.title == "全市加强院内感染防控"
    assert "title_inferred" not in article.flags


def test_an_html_page_with_no_findable_title_keeps_its_body_with_an_inferred_title() -> None:
    html = (
        "<html><head><meta charset='utf-8'></head><body><div class='content'>"
        f"<p>2025-06-16 09:12</p><p>本报讯（记者 王强）{BODY}</p><p>{SECOND}</p>"
        "</div></body></html>"
    )
    [article] = page(html.encode()).articles
    assert BODY in article.text and SECOND in article.text
    assert article.title == FIRST_SENTENCE  # not the date line, not the dateline
    assert "title_inferred" in article.flags


def test_a_traditional_page_without_title_gets_a_simplified_inferred_title() -> None:
    text = "本市衛生健康委員會近日發佈通知，要求各級醫療機構進一步加強院內感染防控工作。" * 3
    [article] = text_page(text).articles
    assert article.title == FIRST_SENTENCE
    assert {"title_inferred", "traditional_converted"} <= set(article.flags)


# --- the inferred title itself ----------------------------------------------------------------


def test_inferred_title_is_the_first_sentence_without_its_full_stop() -> None:
    assert infer_title(["医院开设夜间门诊。方便上班族就医。"]) == "医院开设夜间门诊"


def test_inferred_title_skips_dates_bylines_and_labels() -> None:
    furniture = ["2025年6月16日 09:12", "来源：本市卫健委", "作者：王强", "■ 李明"]
    assert infer_title([*furniture, "医院开设夜间门诊。"]) == "医院开设夜间门诊"


def test_inferred_title_skips_labels_and_link_lines() -> None:
    assert infer_title(["话题", "官网：https://example.test/a", "医院开设夜间门诊。"]) == (
        "医院开设夜间门诊"
    )


@pytest.mark.parametrize(
    "attribution", ["据市政府网站消息，", "据中国地震台网正式测定，", "某某网记者王强5月13日报道："]
)
def test_inferred_title_says_what_happened_not_who_reported_it(attribution: str) -> None:
    assert infer_title([f"{attribution}本市发生3.2级地震。"]) == "本市发生3.2级地震"


@pytest.mark.parametrize(
    "dateline", ["本报讯（记者 王强）", "新华社北京3月5日电 ", "（法新社巴黎19日電） ", "某某网讯 "]
)
def test_inferred_title_leaves_the_dateline_out(dateline: str) -> None:
    assert infer_title([f"{dateline}医院开设夜间门诊。"]) == "医院开设夜间门诊"


def test_a_long_first_sentence_is_cut_at_its_last_clause_within_the_bound() -> None:
    sentence = "近日，本市卫生健康委员会发布关于进一步加强医疗机构院内感染防控工作的通知，要求各级医疗机构落实责任。"
    title = infer_title([sentence])
    assert title == "近日，本市卫生健康委员会发布关于进一步加强医疗机构院内感染防控工作的通知"
    assert len(title) <= MAX_TITLE_CHARS


def test_a_long_sentence_without_clause_breaks_is_cut_at_the_bound_with_an_ellipsis() -> None:
    title = infer_title(["医" * 100])
    assert title == "医" * MAX_TITLE_CHARS + "…"
    sentence = "The city health commission issued a notice " * 5
    english = infer_title([sentence])
    assert english.endswith("…") and len(english) <= MAX_TITLE_CHARS + 1
    assert sentence.startswith(english[:-1] + " ")  # cut between words


def test_no_title_can_be_inferred_from_furniture_alone() -> None:
    assert infer_title(["2025-06-16", "责任编辑：王强"]) == ""


def test_a_body_paragraph_above_the_first_headline_is_an_article() -> None:
    cleaning = text_page(f"{BODY}\n全市加强院内感染防控\n{SECOND}")
    assert [a.title for a in cleaning.articles] == [FIRST_SENTENCE, "全市加强院内感染防控"]
    assert "title_inferred" in cleaning.articles[0].flags


def test_an_xhtml_page_that_declares_its_encoding_gives_its_article() -> None:
    html = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><h1>加强院内感染防控</h1>'
        f"<p>{BODY}</p><p>{SECOND}</p></body></html>"
    )
    [article] = page(html.encode()).articles
    assert article.title == "加强院内感染防控" and SECOND in article.text
