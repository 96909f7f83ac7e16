"""Which text of a real-looking HTML page is its main text: the article under its own headline,
the whole thread of a forum page, no comment box or related list on a news page, and no text
lost to a layout class or to inline markup. Pages are small synthetic HTML written here."""

from datetime import UTC, datetime

from medwire_cleaner.core import clean
from medwire_cleaner.core.threads import is_post_furniture
from medwire_common.schemas import CleanArticle, RawPage

ARTICLE = (
    "国家药监局今日发布公告，批准一款用于治疗罕见病的创新药上市。"
    "该药物此前已在国内完成三期临床试验，疗效和安全性均达到预期目标。"
    "专家表示，这一批准将为国内患者提供新的治疗选择，并有望降低治疗费用。"
    "据介绍，该药物将于下月起在全国多家医院陆续供应。"
)
TEASER = (
    "某地举办医疗器械博览会，吸引了来自全国各地的三百余家企业参展，展品涵盖影像设备和体外诊断试剂。"
)


def cleaned(html: str, url: str = "http://news.example.cn/2025/0101/a.html") -> list[CleanArticle]:
    raw = RawPage.of(
        url, html.encode(), "text/html; charset=utf-8", datetime(2026, 1, 1, tzinfo=UTC)
    )
    return clean(raw)


def page(body: str, title: str = "创新药获批上市") -> str:
    return f"<html><head><title>{title}_某某新闻网</title></head><body>{body}</body></html>"


def test_short_article_under_its_headline_beats_a_longer_feed_of_teasers() -> None:
    teasers = "".join(
        f'<li class="stream-item"><div class="item-content"><p>{TEASER * 3}</p></div></li>'
        for _ in range(3)
    )
    html = page(
        '<div class="wrap"><div class="article"><h1>创新药获批上市</h1>'
        f'<div class="body"><p>{ARTICLE}</p></div></div>'
        f'<div class="stream"><ul class="list">{teasers}</ul></div></div>'
    )
    (article,) = cleaned(html)
    assert "罕见病" in article.text and "博览会" not in article.text


def test_recommended_article_printed_in_full_below_is_not_the_article() -> None:
    recommended = "".join(f"<p>{TEASER}</p>" for _ in range(6))
    html = page(
        '<div class="detail"><div class="content-normal"><h1>创新药获批上市</h1>'
        f'<div class="article-content"><p>{ARTICLE}</p></div></div>'
        '<div class="content-recommend-wrapper"><h1 class="title">另一篇推荐文章的标题</h1>'
        f'<div class="recommend-content">{recommended}</div></div></div>'
    )
    (article,) = cleaned(html)
    assert "罕见病" in article.text and "博览会" not in article.text


def test_comment_section_and_related_list_of_a_news_article_are_dropped() -> None:
    comments = "".join(
        f'<div class="comment-item"><p>网友{i}：这是一条很长的读者评论，说的是自己对这条新闻的看法和感受。</p></div>'
        for i in range(5)
    )
    html = page(
        f'<div class="main"><h1>创新药获批上市</h1><div class="text"><p>{ARTICLE}</p><p>{ARTICLE}</p></div>'
        f'<div class="related"><ul><li>相关阅读：医保目录调整工作方案公布后的第一批药品名单</li></ul></div>'
        f'<div class="comments">{comments}</div></div>'
    )
    (article,) = cleaned(html)
    assert "罕见病" in article.text
    assert "读者评论" not in article.text and "相关阅读" not in article.text


FORUM = """<html><head><title>求助：新药申报材料怎么准备 - 医药论坛</title></head><body>
<div class="thread"><h1>求助：新药申报材料怎么准备</h1>
<div class="post"><div class="author">张三</div><div class="meta">发表于 2024-4-5 23:20:45 | 只看该作者</div>
<div class="message">第一次准备新药申报材料，请问药学部分需要哪些资料，有没有清单可以参考？</div>
<div class="sign">个性签名：生活不止眼前的苟且，还有诗和远方的田野</div>
<div class="actions"><span>点赞</span> <span>回复</span> <span>举报</span></div></div>
<div class="reply"><div class="author">李四</div><div class="meta">发表于 2024-4-6 08:02:11</div>
<div class="message">可以先看药审中心发布的指导原则，里面对药学研究资料有详细的要求。</div>
<div class="actions"><span>点赞 (5)</span> <span>8条评论</span></div></div>
<figure><img src="a.png"><figcaption>申报资料目录示意图</figcaption></figure>
</div></body></html>"""


def test_forum_page_is_its_whole_thread_without_buttons_or_signatures() -> None:
    (article,) = cleaned(FORUM, url="https://bbs.example.cn/forum.php?mod=viewthread&tid=1")
    assert "药学部分需要哪些资料" in article.text  # the first post
    assert "指导原则" in article.text  # and its reply
    assert "申报资料目录示意图" in article.text  # a caption inside the thread is kept
    for furniture in ("只看该作者", "发表于", "举报", "8条评论", "个性签名"):
        assert furniture not in article.text


def test_forum_software_is_recognised_by_its_generator_meta_too() -> None:
    html = FORUM.replace("<head>", '<head><meta name="generator" content="Discuz! X3.4">')
    (article,) = cleaned(html, url="https://www.example.cn/x/1.html")
    assert "指导原则" in article.text


def test_post_furniture_lines_are_told_from_short_posts() -> None:
    for line in (
        "点赞",
        "8条评论",
        "点赞 (5)",
        "2020.06.09 09:42 发布",
        "#3",
        "查看: 3481|回复: 3",
        "更多回答（2）",
        "提交 取消",
    ):
        assert is_post_furniture(line), line
    for line in ("元旦快乐！", "顶一下，说得很对", "可以先看指导原则。"):
        assert not is_post_furniture(line), line


QA = "https://www.example.cn/faq/1274706"


def test_layout_utility_class_does_not_make_a_question_chrome() -> None:
    html = page(
        f'<div class="page-detail g-margin-top"><h1>创新药获批上市</h1><div>{ARTICLE}</div></div>'
        '<div class="note"><p>本站声明：转载请注明出处并保留原文链接。</p></div>'
    )
    (article,) = cleaned(html, url=QA)
    assert "罕见病" in article.text


def test_text_beside_nested_blocks_is_found_without_a_block_of_its_own() -> None:
    # Script-rendered pages often print text in spans next to nested empty divs.
    html = page(
        f'<div id="app"><div class="q"><span>{ARTICLE}</span><div class="icon"></div>'
        f"<span>{TEASER}</span></div></div>"
    )
    (article,) = cleaned(html)
    assert "罕见病" in article.text and "博览会" in article.text


def test_a_block_named_info_on_a_qa_page_is_chrome_only_while_it_is_a_short_line() -> None:
    html = page(
        '<div class="news-info">来源：某某新闻网 2025-01-01 浏览次数：123</div>'
        f'<div class="question-info"><h1>创新药获批上市</h1><div>{ARTICLE}</div></div>'
        '<div class="note"><p>本站声明：转载请注明出处并保留原文链接。</p></div>'
    )
    (article,) = cleaned(html, url=QA)
    assert "罕见病" in article.text and "浏览次数" not in article.text


def test_paragraphs_after_an_image_inside_a_paragraph_are_kept() -> None:
    # `<p>text<div>image</div>more text` — the parser closes the <p> at the <div>, so the rest
    # of the article is the div's tail, outside any block of its own.
    html = page(
        f'<div class="main"><h1>创新药获批上市</h1><div class="content"><p>{ARTICLE}<br>'
        '<div class="img"><img src="a.jpg"></div>'
        "医保部门表示，将尽快启动该药品的医保谈判工作。<br>业内人士认为，这将显著提升患者的用药可及性。</div></div>"
    )
    (article,) = cleaned(html)
    assert "罕见病" in article.text and "医保谈判" in article.text and "用药可及性" in article.text


def test_a_code_block_keeps_its_repeated_lines() -> None:
    code = (
        "# 启动容器\ndocker start my-application\n# 查看日志\ndocker logs my-application\n"
        "# 再次启动容器\ndocker start my-application"
    )
    html = page(
        f'<div class="post"><h1>创新药获批上市</h1><p>{ARTICLE}</p><pre><code>{code}</code></pre>'
        f"<p>{ARTICLE[:40]}</p></div>"
    )
    (article,) = cleaned(html)
    assert article.text.count("docker start my-application") == 2


def test_forum_urls_are_told_by_whole_segments_and_host_labels() -> None:
    import lxml.html

    from medwire_cleaner.core.threads import is_discussion

    doc = lxml.html.document_fromstring("<html><body><p>正文</p></body></html>")
    for url in (
        "https://bbs.example.cn/a/1.html",
        "https://www.example.cn/forum.php?mod=viewthread&tid=3",
        "https://www.example.cn/thread-123-1-1.html",
        "https://discuss.example.org/d/15648",
        "https://www.example.com/question/58681/answer/29",
        "https://www.example.club/topic/1666",
        "https://forum.example.org/t/some-topic/1666",
        "https://www.example.org/t/1666",
        "https://www.example.com/q/1010000044",
        "https://www.example.com/ask/123.html",
    ):
        assert is_discussion(doc, url), url
    for url in (
        "https://news.example.cn/2024/d12345.html",
        "http://task.example.gov.cn/art/2024/5/1/art_1.html",
        "https://www.example.cn/news/forumsummary-report.html",
        "https://news.example.cn/topic/2024lh/index.html",
        "https://news.example.cn/t/20240501_123.html",
    ):
        assert not is_discussion(doc, url), url


def test_a_thread_is_recognised_by_its_schema_org_microdata() -> None:
    import lxml.html

    from medwire_cleaner.core.threads import is_discussion

    doc = lxml.html.document_fromstring(
        '<html><body><div itemscope itemtype="https://schema.org/QAPage"><p>正文</p></div></body></html>'
    )
    assert is_discussion(doc, "https://www.example.cn/a/1.html")


def test_a_long_summary_under_the_headline_does_not_replace_the_body_beside_it() -> None:
    body = "".join(f"<p>{ARTICLE}第{i}段。</p>" for i in range(6))
    html = page(
        f'<div class="container"><div class="head"><h1>创新药获批上市</h1><div class="lede">{TEASER * 3}</div></div>'
        f'<div class="text">{body}</div></div>'
    )
    (article,) = cleaned(html)
    assert "第5段" in article.text


def test_an_article_told_in_tails_of_image_blocks_outweighs_a_shorter_block() -> None:
    tails = "".join(
        f'<div class="img"><img src="{i}.jpg"></div>{ARTICLE}第{i}段。<br>' for i in range(4)
    )
    html = page(
        f'<div class="content"><p>{ARTICLE[:30]}</p>{tails}</div>'
        f'<div class="box"><p>{TEASER}</p><p>{TEASER}又及。</p><p>{TEASER}再及。</p></div>',
        title="站点首页",
    )
    (article,) = cleaned(html)
    assert "第3段" in article.text and "博览会" not in article.text


def test_a_reply_wrapped_in_an_info_block_is_kept_on_a_thread() -> None:
    html = FORUM.replace(
        '<figure><img src="a.png">',
        '<div class="comment-user-info"><div class="name">王五</div>'
        '<div class="comment-detail">谢谢两位，已经按指导原则整理好了。</div></div><figure><img src="a.png">',
    )
    (article,) = cleaned(html, url="https://bbs.example.cn/forum.php?mod=viewthread&tid=1")
    assert "已经按指导原则整理好了" in article.text


def test_a_page_whose_only_text_was_pruned_still_gives_its_text() -> None:
    # One paragraph in a box named like a sidebar: pruned as chrome, and nothing else is left.
    html = page(f'<div class="right"><p>{ARTICLE}</p></div>')
    (article,) = cleaned(html)
    assert "罕见病" in article.text


def test_a_chosen_block_with_nothing_but_bylines_falls_back_to_the_pages_text() -> None:
    html = page(
        f'<div class="main"><h1>创新药获批上市</h1><div class="byline">{"记者 张三 李四 王五 赵六 " * 12}</div>'
        f'<div class="author">{"通讯员 钱七 孙八 " * 12}</div></div>'
        f"<div><span>{ARTICLE}</span><span>{TEASER}</span></div>"
    )
    articles = cleaned(html)
    assert articles and "罕见病" in articles[0].text


def test_a_page_whose_pruned_text_is_only_its_headline_still_gives_its_text() -> None:
    html = page(f'<h1>创新药获批上市</h1><div class="right"><p>{ARTICLE}</p></div>')
    (article,) = cleaned(html)
    assert "罕见病" in article.text


def test_an_article_hidden_until_a_script_shows_it_is_kept_without_the_pages_furniture() -> None:
    # Some platforms (WeChat's `js_content`) print the article `visibility: hidden` and reveal it
    # by script: hidden, yet the page's main text; its spam-free prose is not hidden spam.
    paragraphs = "".join(f"<section><span>{ARTICLE}第{i}段。</span></section>" for i in range(3))
    html = page(
        f'<div class="page"><h1>创新药获批上市</h1><div class="meta-line">某某公众号</div>'
        f'<div id="js_content" style="visibility: hidden;">{paragraphs}</div>'
        '<div class="qr_code"><p>微信扫一扫关注该公众号</p></div></div>'
    )
    (article,) = cleaned(html)
    assert "第2段" in article.text and "扫一扫" not in article.text


def test_an_article_inside_a_page_wide_form_is_not_pruned_with_the_form() -> None:
    # ASP.NET sites wrap the whole page in one `<form>`.
    paragraphs = "".join(f"<div>{ARTICLE}第{i}段。</div>" for i in range(3))
    html = page(
        f'<form id="form1"><div class="nav"><a href="/">首页</a></div><h1>创新药获批上市</h1>'
        f'<div class="article">{paragraphs}</div>'
        f'<div class="related"><p>{TEASER}</p></div></form>'
    )
    (article,) = cleaned(html)
    assert "第2段" in article.text and "博览会" not in article.text


def test_an_article_in_a_box_with_a_chrome_word_is_kept_when_its_paragraphs_are_divs() -> None:
    paragraphs = "".join(f"<div>{ARTICLE}第{i}段。</div>" for i in range(3))
    html = page(
        f'<div class="main-right"><h1>创新药获批上市</h1><div class="text">{paragraphs}</div></div>'
        f'<div class="links"><p><a href="/a">相关链接一</a></p></div><div><p>{TEASER}</p></div>'
    )
    (article,) = cleaned(html)
    assert "第2段" in article.text and "博览会" not in article.text


def test_a_paragraph_naming_an_official_website_twice_is_not_spam() -> None:
    from medwire_cleaner.core.normalize import is_spam

    notice = "申报材料可在省药监局官方网站下载，填写后通过官方网站在线提交，或寄送至省药监局。"
    assert not is_spam(notice)
    assert is_spam("最新高清在线观看，注册送彩金")  # weak words of several kinds still are
    (article,) = cleaned(
        page(f'<div class="main"><h1>创新药获批上市</h1><p>{ARTICLE}</p><p>{notice}</p></div>')
    )
    assert "在线提交" in article.text


def test_lines_of_links_inside_the_article_block_are_not_its_text() -> None:
    links = "".join(
        f'<p><a href="/news/{i}.html">延伸阅读：某地医疗器械集中带量采购第{i}批结果公布</a></p>'
        for i in range(3)
    )
    html = page(
        f'<div class="main"><h1>创新药获批上市</h1><p>{ARTICLE}</p>'
        f'<p>详见<a href="/notice.html">国家药监局公告</a>全文。{ARTICLE[:20]}</p>{links}</div>'
    )
    (article,) = cleaned(html)
    assert "国家药监局公告" in article.text  # a link inside a sentence stays
    assert "带量采购" not in article.text


def _qa_page(question: str, answers: str, sidebar: str) -> str:
    return (
        "<html><head><title>新药申报材料怎么准备 - 问答</title></head><body>"
        f'<div class="wrap"><div class="question">{question}</div>'
        f'<div class="answers">{answers}</div></div><div class="aside-box">{sidebar}</div></body></html>'
    )


ANSWERS = "".join(
    f'<div class="answer"><div class="name">用户{i}</div><p>{ARTICLE}第{i}个回答。</p></div>'
    for i in range(4)
)


def test_a_thread_is_read_from_its_own_region_without_the_profile_box_beside_it() -> None:
    sidebar = f"<p>答主简介：{TEASER}</p>"
    html = _qa_page(
        "<h1>新药申报材料怎么准备</h1><p>药学部分要准备哪些资料？</p>", ANSWERS, sidebar
    )
    (article,) = cleaned(html, url="https://www.example.com/question/58681")
    assert "第3个回答" in article.text and "药学部分要准备哪些资料" in article.text
    assert "博览会" not in article.text


def test_a_question_printed_apart_from_its_answers_is_kept_with_them() -> None:
    question = f"<h1>新药申报材料怎么准备</h1><p>药学部分要准备哪些资料？{TEASER}</p>"
    html = _qa_page(question, ANSWERS * 3, "")
    html = html.replace('<div class="wrap">', "").replace(
        '</div></div><div class="aside-box">', "</div><div>"
    )
    (article,) = cleaned(html, url="https://www.example.com/question/58681")
    assert "药学部分要准备哪些资料" in article.text and "第3个回答" in article.text


def _cards(n: int) -> str:
    return "".join(
        f'<article class="card"><h3>推荐：医疗器械博览会第{i}天</h3><p>{TEASER}</p></article>'
        for i in range(n)
    )


def test_related_posts_printed_as_article_elements_do_not_split_the_page() -> None:
    # Blog and portal themes print each related post as an <article>; e-paper pages print each
    # of their articles so. Cards are short and hold little of the page's text.
    html = page(
        f'<div class="main"><h1>创新药获批上市</h1><div class="content"><p>{ARTICLE}</p>'
        f'<p>{ARTICLE}又讯。</p></div></div><div class="more">{_cards(3)}</div>'
    )
    (article,) = cleaned(html)
    assert "罕见病" in article.text and "博览会" not in article.text
    html = page(
        f"<article><h1>创新药获批上市</h1><p>{ARTICLE}</p><p>{ARTICLE}又讯。</p></article>"
        f'<div class="more">{_cards(2)}</div>'
    )
    (article,) = cleaned(html)
    assert "罕见病" in article.text and "博览会" not in article.text


def test_an_e_paper_page_of_article_elements_is_still_split() -> None:
    stories = "".join(
        f"<article><h2>第{i}条新闻的标题在这里</h2><p>{ARTICLE}</p><p>{ARTICLE}第{i}条。</p></article>"
        for i in range(3)
    )
    articles = cleaned(page(stories, title="某某日报 第05版"))
    assert len(articles) == 3 and "第2条" in articles[2].text


def test_a_page_whose_replies_outweigh_its_post_is_read_as_a_thread() -> None:
    # A community's article page (its URL says nothing of a forum) with its discussion under it.
    replies = "".join(
        f'<div class="reply-item"><a href="/users/{i}">用户{i}</a><p>{TEASER}我也遇到过第{i}次。</p></div>'
        for i in range(6)
    )
    html = page(
        f'<div class="main"><h1>创新药获批上市</h1><div class="body"><p>{ARTICLE}</p></div>'
        f'<div class="comment-list">{replies}</div></div>'
    )
    (article,) = cleaned(html, url="https://community.example.com/articles/86852")
    assert "罕见病" in article.text and "我也遇到过第5次" in article.text
