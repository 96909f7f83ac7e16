"""Title, date, authors, editors and source from a page's own signals (issue #19, Deliver 4), on
small synthetic pages: meta tags, JSON-LD, a plain date line under the headline, the bylines
Chinese pages print, and page furniture or photo captions that must never head an article."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from medwire_cleaner.core import clean
from medwire_common.schemas import CleanArticle, RawPage

# A URL without a date in it, so every date found comes from the page.
URL = "http://news.test/content/article.html"
BODY = [
    "省卫生健康委员会近日召开全省医疗机构药品集中采购工作推进会议，部署下一阶段重点任务安排。",
    "会议要求各地加快推进药品和医用耗材集中带量采购，确保中选产品按时进入医疗机构并规范使用。",
    "会议还通报了上半年全省公立医院药品采购情况，对工作进展较快的地区和单位提出表扬和肯定。",
]


def html_page(head: str = "", before: str = "", after: str = "", title: str = "") -> RawPage:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    html = (
        f"<html><head><meta charset='utf-8'><title>{title}</title>{head}</head><body>"
        f"<div class='content'>{before}{paragraphs}{after}</div></body></html>"
    )
    return RawPage.of(URL, html.encode("utf-8"), "text/html", datetime(2026, 1, 1, tzinfo=UTC))


def text_page(lines: list[str]) -> RawPage:
    body = "\n".join(lines).encode("utf-8")
    return RawPage.of(URL, body, "text/plain", datetime(2026, 1, 1, tzinfo=UTC))


def only(raw: RawPage) -> CleanArticle:
    articles = clean(raw)
    assert len(articles) == 1, [a.title for a in articles]
    return articles[0]


HEADLINE = "全省推进药品集中采购工作"


@pytest.mark.parametrize(
    "meta",
    [
        '<meta property="article:published_time" content="2024-05-09T10:20:00+08:00">',
        '<meta name="apub:time" content="2024-05-09 10:20:00">',
        '<meta name="pubdate" content="2024-05-09">',
        '<meta name="publishdate" content="2024-05-09">',
        '<meta itemprop="datePublished" content="2024-05-09">',
        '<meta property="og:release_date" content="2024-05-09">',
        '<meta name="PubDate" content="2024-05-09 10:20">',
    ],
)
def test_publication_date_comes_from_each_meta_tag(meta: str) -> None:
    article = only(html_page(head=meta, before=f"<h1>{HEADLINE}</h1>"))
    assert article.published_at == date(2024, 5, 9)


def test_json_ld_gives_headline_date_and_author() -> None:
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": HEADLINE,
        "datePublished": "2024-05-09T10:20:00+08:00",
        "author": [{"@type": "Person", "name": "王小明"}],
    }
    script = f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
    article = only(html_page(head=script, before="<h1>省卫健委</h1>", title="省卫健委"))
    assert (article.title, article.published_at) == (HEADLINE, date(2024, 5, 9))
    assert article.authors == ["王小明"]


def test_broken_json_ld_is_an_absent_signal_not_an_error() -> None:
    script = '<script type="application/ld+json">{"headline": "unterminated</script>'
    article = only(html_page(head=script, before=f"<h1>{HEADLINE}</h1>"))
    assert article.title == HEADLINE and article.published_at is None


@pytest.mark.parametrize(
    ("line", "day", "time"),
    [
        ("<span>2019-09-24 09:10</span>", date(2019, 9, 24), "09:10"),
        ("<p>2019年06月10日</p>", date(2019, 6, 10), None),
        ("<div><span>中国医药报</span> <span>2019-09-24</span></div>", date(2019, 9, 24), None),
    ],
)
def test_plain_date_line_under_the_headline_is_the_publication_date(
    line: str, day: date, time: str | None
) -> None:
    article = only(html_page(before=f"<h1>{HEADLINE}</h1>{line}"))
    assert (article.published_at, article.published_time) == (day, time)


@pytest.mark.parametrize(
    ("before", "after", "authors"),
    [
        ("<p>作者:张三</p>", "", ["张三"]),
        ("<p>文/张三</p>", "", ["张三"]),
        ("", "<p>（记者 张三 见习记者 李四）</p>", ["张三", "李四"]),
        ("", "<p>（王五 李明）</p>", ["王五", "李明"]),
        ("<p>本报记者 张三 通讯员 李四</p>", "", ["张三", "李四"]),
    ],
)
def test_byline_lines_go_to_authors_not_the_text(before: str, after: str, authors: list) -> None:
    article = only(html_page(before=f"<h1>{HEADLINE}</h1>{before}", after=after))
    assert article.authors == authors
    assert not any(name in article.text for name in authors), article.text


def test_byline_closing_the_last_paragraph_is_cut_off_into_authors() -> None:
    after = "<p>会议强调，要把好事办好、实事办实。（记者 张三 见习记者 李四）</p>"
    article = only(html_page(before=f"<h1>{HEADLINE}</h1>", after=after))
    assert article.authors == ["张三", "李四"]
    assert article.text.endswith("实事办实。")


def test_reporters_named_in_the_dateline_are_authors_and_the_lede_keeps_them() -> None:
    before = f"<h1>{HEADLINE}</h1><p>新华社北京5月9日电（记者王小明、李大华）全省药品采购工作会议召开。</p>"
    article = only(html_page(before=before))
    assert article.authors == ["王小明", "李大华"]
    assert "新华社北京5月9日电（记者王小明、李大华）" in article.text


@pytest.mark.parametrize("label", ["责任编辑", "编辑", "责编"])
def test_editors_are_kept_apart_from_authors(label: str) -> None:
    after = f"<p>作者:张三</p><p>{label}：赵六</p>"
    article = only(html_page(before=f"<h1>{HEADLINE}</h1>", after=after))
    assert (article.authors, article.editors) == (["张三"], ["赵六"])
    assert "赵六" not in article.text


def test_editors_in_the_info_line_under_the_title_are_kept_apart() -> None:
    info = "<div class='info'>来源：健康报 作者：张三 编辑：赵六 2024-05-09</div>"
    article = only(html_page(before=f"<h1>{HEADLINE}</h1>{info}"))
    assert (article.authors, article.editors, article.origin) == (["张三"], ["赵六"], "健康报")


def test_old_records_without_editors_stay_valid() -> None:
    record = only(html_page(before=f"<h1>{HEADLINE}</h1>")).model_dump(mode="json")
    del record["editors"]
    assert CleanArticle.model_validate(record).editors == []


@pytest.mark.parametrize(
    "furniture",
    [
        "招聘热线:010-12345678",
        "浏览次数:1024",
        "首页 > 新闻中心 > 工作动态",
        "来源:省科技厅2019-11-14 15:53",
        "2019-11-14 15:53",
    ],
)
def test_a_furniture_line_in_a_title_block_is_never_the_title(furniture: str) -> None:
    before = f"<div class='title'>{furniture}</div><h2 class='title'>{HEADLINE}</h2>"
    article = only(html_page(before=before))  # no <title> to tell them apart
    assert article.title == HEADLINE


def test_a_source_line_taken_for_a_title_keeps_its_date_and_source() -> None:
    before = f"<h1>{HEADLINE}</h1><div class='title'>来源:省科技厅2019-11-14 15:53</div>"
    article = only(html_page(before=before))
    assert article.title == HEADLINE
    assert (article.published_at, article.published_time) == (date(2019, 11, 14), "15:53")
    assert article.origin == "省科技厅"


def test_a_title_block_holding_the_info_line_gives_the_title_alone() -> None:
    before = f"<div class='title'>{HEADLINE} 来源：新华社 作者： 2023-12-01 14:43</div>"
    article = only(html_page(before=before, title=f"{HEADLINE}-省卫生健康委员会"))
    assert (article.title, article.published_at) == (HEADLINE, date(2023, 12, 1))


def test_only_furniture_for_a_title_gives_no_furniture_title() -> None:
    article = clean(html_page(before="<h1>招聘热线:010-12345678</h1>", title="浏览次数:1024"))
    assert all(a.title not in ("招聘热线:010-12345678", "浏览次数:1024") for a in article)


def test_an_image_caption_in_a_title_block_is_not_the_title() -> None:
    before = f"<div class='pic-title'>▲张三在开幕式上致辞</div><div class='title'>{HEADLINE}</div>"
    assert only(html_page(before=before)).title == HEADLINE


@pytest.mark.parametrize("caption", ["▲张三在开幕式上致辞", "会议现场。 周志杭 摄"])
def test_an_image_caption_in_plain_text_stays_in_its_article(caption: str) -> None:
    lines = [HEADLINE, BODY[0], caption, BODY[1], BODY[2]]
    article = only(text_page(lines))
    assert article.title == HEADLINE
    assert BODY[1] in article.text and BODY[2] in article.text


def test_furniture_lines_in_plain_text_head_no_article_and_keep_their_date() -> None:
    lines = [HEADLINE, "来源:省科技厅2019-11-14 15:53", "浏览次数:1024", *BODY]
    article = only(text_page(lines))
    assert article.title == HEADLINE
    assert (article.published_at, article.origin) == (date(2019, 11, 14), "省科技厅")


def test_byline_under_a_plain_text_headline_goes_to_that_article() -> None:
    second = "全市启动医保基金专项检查行动"
    lines = [HEADLINE, *BODY, second, "（记者 张三 见习记者 李四）", BODY[0], BODY[1]]
    first, other = clean(text_page(lines))
    assert (first.authors, other.title, other.authors) == ([], second, ["张三", "李四"])


def test_a_date_only_a_cms_markup_pattern_gives_is_found() -> None:
    stamp = '<abbr class="published" title="2024-05-09T10:20:00+08:00">五月九日</abbr>'
    article = only(html_page(before=f"<h1>{HEADLINE}</h1>", after=f"<p>{stamp}</p>"))
    assert article.published_at == date(2024, 5, 9)


def test_a_heading_printed_over_several_widgets_is_not_the_title() -> None:
    widget = "<div class='box'><h2 class='title'>本周热门排行</h2><ul><li>一</li></ul></div>"
    before = widget * 3 + f"<div class='title'>{HEADLINE}</div>"
    assert only(html_page(before=before)).title == HEADLINE


def test_account_box_buttons_and_location_are_not_authors() -> None:
    box = "<div class='author'>健康观察 搜狐号 关注 粉丝 IP属地:广东</div>"
    article = only(html_page(before=f"<h1>{HEADLINE}</h1>{box}"))
    assert article.authors == ["健康观察"]


def test_a_byline_printed_as_a_subtitle_goes_to_authors() -> None:
    block = (
        "<article><h2>{title}</h2><p class='subtitle'>记者 {name}</p>"
        + "".join(f"<p>{p}</p>" for p in BODY)
        + "</article>"
    )
    html = (
        "<html><body>"
        + block.format(title=HEADLINE, name="张三")
        + block.format(title="全市启动医保基金专项检查", name="李四")
        + "</body></html>"
    )
    raw = RawPage.of(URL, html.encode("utf-8"), "text/html", datetime(2026, 1, 1, tzinfo=UTC))
    first, second = clean(raw)
    assert (first.subtitle, first.authors, second.authors) == (None, ["张三"], ["李四"])


def test_a_bare_date_line_under_a_plain_text_headline_is_its_date_not_its_title() -> None:
    article = only(text_page([HEADLINE, "2019-09-24 09:10", *BODY]))
    assert (article.title, article.published_at) == (HEADLINE, date(2019, 9, 24))


def test_government_site_metas_give_title_and_source() -> None:
    head = f'<meta name="ArticleTitle" content="{HEADLINE}"><meta name="ContentSource" content="省卫健委">'
    before = f"<h1>省卫生健康委员会</h1><div class='title'>{HEADLINE}</div>"
    article = only(html_page(head=head, before=before, title="省卫生健康委员会"))
    assert (article.title, article.origin) == (HEADLINE, "省卫健委")


def test_the_author_meta_a_cms_fills_with_its_editor_is_not_an_author() -> None:
    head = '<meta name="author" content="赵六">'
    after = "<div class='editor'>【责任编辑：赵六】</div>"
    article = only(html_page(head=head, before=f"<h1>{HEADLINE}</h1>", after=after))
    assert (article.authors, article.editors) == ([], ["赵六"])


def test_a_long_author_box_without_labels_names_no_author() -> None:
    box = "<div class='tie-author'>网易来自北京市的手机网友 2024-05-09 10:20 发表 这篇报道写得很好，支持</div>"
    assert only(html_page(before=f"<h1>{HEADLINE}</h1>", after=box)).authors == []


def test_baidu_json_ld_gives_the_date_and_its_page_title_is_not_the_headline() -> None:
    ld = {
        "@context": "https://ziyuan.baidu.com/contexts/cambrian.jsonld",
        "title": f"{HEADLINE}_省卫生健康委员会_工作动态",
        "pubDate": "2024-05-09T10:20:00",
    }
    script = f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
    article = only(html_page(head=script, before=f"<h1>{HEADLINE}</h1>"))
    assert (article.title, article.published_at) == (HEADLINE, date(2024, 5, 9))


@pytest.mark.parametrize("byline", ["◎ 记者 张三", "■本报记者 张三", "撰文：张三"])
def test_an_epaper_byline_under_the_headline_is_not_a_headline(byline: str) -> None:
    article = only(text_page([HEADLINE, byline, *BODY]))
    assert (article.title, article.authors) == (HEADLINE, ["张三"])


def test_a_caption_heading_in_an_epaper_block_does_not_title_it() -> None:
    block = (
        "<article><h2>▲{who}在开幕式上致辞</h2><h2>{title}</h2>"
        + "".join(f"<p>{p}</p>" for p in BODY)
        + "</article>"
    )
    second = "全市启动医保基金专项检查"
    html = (
        "<html><body>"
        + block.format(title=HEADLINE, who="张三")
        + block.format(title=second, who="李四")
        + "</body></html>"
    )
    raw = RawPage.of(URL, html.encode("utf-8"), "text/html", datetime(2026, 1, 1, tzinfo=UTC))
    assert [a.title for a in clean(raw)] == [HEADLINE, second]


def test_the_date_under_the_site_logo_is_not_the_articles() -> None:
    before = (
        "<h1>省卫生健康委员会</h1><span>今天是2026-01-01 星期四</span>"
        f"<div class='title'>{HEADLINE}</div><span>2024-05-09 10:20</span>"
    )
    article = only(html_page(before=before, title=f"{HEADLINE}_省卫生健康委员会"))
    assert (article.title, article.published_at) == (HEADLINE, date(2024, 5, 9))


@pytest.mark.parametrize(
    "where",
    [
        '<script>var article = {"id": 7, "ptime": "2024-05-09 10:20:00"};</script>',
        "<script>window.DATA = {newsTime: '2024-05-09 10:20:00'}</script>",
        "<div class='fbsj'>2024-05-09</div>",
        "<span class='newsdate'>2024-05-09</span>",
        "<p class='gray'>张三 发表于 2024-5-9 10:20</p>",
    ],
)
def test_portal_and_forum_date_spots_give_the_date(where: str) -> None:
    # a labelled date further down (a sidebar notice) must not win over the article's own
    before = f"<h1>{HEADLINE}</h1><div class='x'>{'栏目导航' * 60}</div>"
    page = html_page(before=before, after=f"{where}<p>时间：2020-01-01 栏目更新</p>")
    assert only(page).published_at == date(2024, 5, 9)


def test_the_last_update_time_is_not_the_publication_date() -> None:
    before = f"<h1>{HEADLINE}</h1><div class='nav'>{'栏目导航' * 60}</div>"
    after = "<span class='updatetime'>2024-06-01</span><span class='publishtime'>2024-05-09</span>"
    assert only(html_page(before=before, after=after)).published_at == date(2024, 5, 9)


def test_a_source_line_with_its_date_anywhere_dates_the_page() -> None:
    before = f"<h1>{HEADLINE}</h1><div class='x'>{'栏目导航' * 60}</div>"
    after = "<div>来源:省科技厅2019-11-14 15:53</div>"
    article = only(html_page(before=before, after=after))
    assert (article.published_at, article.origin) == (date(2019, 11, 14), "省科技厅")


def test_an_info_line_in_the_text_gives_its_source_author_and_editor() -> None:
    lines = [HEADLINE, "来源:健康报 作者:张三 责任编辑:赵六 2024-05-09", *BODY]
    article = only(text_page(lines))
    assert (article.origin, article.authors, article.editors) == ("健康报", ["张三"], ["赵六"])
    assert article.published_at == date(2024, 5, 9)


def test_commenters_are_not_authors() -> None:
    comments = (
        "<div class='comment-list'><div class='item'><span class='author'>王大锤</span>"
        "<p>说得好</p></div></div>"
    )
    article = only(
        html_page(before=f"<h1>{HEADLINE}</h1><p class='author'>作者:张三</p>", after=comments)
    )
    assert article.authors == ["张三"]
