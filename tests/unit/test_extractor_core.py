from datetime import UTC, datetime

from medwire_common.schemas import CleanArticle
from medwire_extractor.core import ArticleScan, extract, find_amounts, find_organizations


def article(text: str, title: str = "") -> CleanArticle:
    return CleanArticle.of("a", text, datetime(2026, 1, 1, tzinfo=UTC), title=title)


def test_amounts_have_value_and_currency() -> None:
    amounts = find_amounts("项目初期总投资 10.52 亿元,注册资本 5 亿元,融资2800万美元。")
    assert [(a.value, a.unit) for a in amounts] == [
        (1052000000, "CNY"),
        (500000000, "CNY"),
        (28000000, "USD"),
    ]


def test_organizations_are_typed_by_their_name_and_spanned() -> None:
    text = "由山西省药品监督管理局与晋中市人民政府联合主办,太原理工大学、山西白求恩医院参加。"
    orgs = {o.name: o for o in find_organizations(ArticleScan.of(text))}
    assert orgs["山西省药品监督管理局"].type == "government"
    assert orgs["太原理工大学"].type == "university"
    assert orgs["山西白求恩医院"].type == "hospital"
    for org in orgs.values():
        for start, end in org.spans:
            assert text[start:end] == org.name


def test_pharma_article_scores_above_union_contest() -> None:
    pharma = extract(
        article(
            "医药创新转化公共服务平台启动,推动医疗器械成果转化,40余家医药企业参加。" * 3,
            "医药创新转化公共服务平台在晋中启动",
        )
    )
    union = extract(
        article(
            "富士康太原园区工会召开第九届岗位创新竞赛说明会,评审组组长出席。" * 3,
            "富士康太原园区工会召开说明会",
        )
    )
    assert pharma.relevance > union.relevance
    assert "医疗器械" in pharma.topics and "成果转化" in pharma.topics


def test_identical_texts_share_a_duplicate_cluster() -> None:
    assert extract(article("同一篇 文章")).dup_cluster == extract(article("同一篇文章")).dup_cluster
