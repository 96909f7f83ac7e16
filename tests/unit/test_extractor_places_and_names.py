"""Places with administrative codes, canonical organisation names within an article, names
broken across lines, and the relevance of the seed page's non-industry articles."""

import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from medwire_common.schemas import CleanArticle
from medwire_extractor.core import ArticleScan, extract, find_organizations, join_layout_breaks
from medwire_extractor.core.locations import find_locations
from medwire_extractor.core.organizations import canonical

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures" / "extractor"))
from gold import load  # noqa: E402


def article(text: str, published: date | None = date(2025, 8, 1)) -> CleanArticle:
    return CleanArticle.of("a", text, datetime(2026, 1, 1, tzinfo=UTC), published_at=published)


def test_places_are_normalised_to_official_names_and_codes() -> None:
    places = find_locations(
        ArticleScan.of("标志着山西在整合资源方面迈出关键一步,活动在晋中市举行。"), []
    )
    assert [(p.name, p.province, p.city, p.district, p.adcode) for p in places] == [
        ("山西省", "山西省", None, None, "140000"),
        ("晋中市", "山西省", "晋中市", None, "140700"),
    ]
    assert places[1].spans == [(22, 25)]


@pytest.mark.parametrize(
    ("text", "adcode"),
    [
        ("南京鼓楼医院位于鼓楼区", "320106"),  # the page names Nanjing
        ("福州市鼓楼区", "350102"),
        ("鼓楼区", None),  # four 鼓楼区 in China and no hint: no code rather than a guess
    ],
)
def test_a_district_name_shared_by_several_cities_takes_the_page_city(
    text: str, adcode: str | None
) -> None:
    (district,) = [p for p in find_locations(ArticleScan.of(text), []) if p.name == "鼓楼区"]
    assert district.adcode == adcode


def test_places_inside_organisation_names_and_titles_are_not_places() -> None:
    e = extract(article("山西省药品监督管理局印发《山西省若干措施》。"))
    assert e.locations == []


def test_a_place_at_the_end_of_the_text_spans_only_its_own_characters() -> None:
    (place,) = find_locations(ArticleScan.of("标志着山西"), [])
    assert place.spans == [(3, 5)]


def test_ordinary_words_that_are_also_city_names_are_not_places() -> None:
    assert find_locations(ArticleScan.of("医药及医疗器械产业作为朝阳产业;“安康杯”竞赛"), []) == []


@pytest.mark.parametrize(
    ("short", "province", "city", "full"),
    [
        ("省药监局", "山西省", "晋中市", "山西省药品监督管理局"),
        ("市工信局", "山东省", "济南市", "济南市工业和信息化局"),
        ("山东省枣庄市工信局", "山东省", "枣庄市", "枣庄市工业和信息化局"),
        ("国家发改委", None, None, "国家发展和改革委员会"),
        ("晋中市政府", "山西省", "晋中市", "晋中市人民政府"),
        ("省立医院", "山东省", "济南市", "省立医院"),  # 省立 is part of the name
    ],
)
def test_government_bodies_written_short_get_their_full_names(
    short: str, province: str | None, city: str | None, full: str
) -> None:
    assert canonical(short, province, city) == full


def test_short_forms_on_the_page_are_aliases_of_one_organisation() -> None:
    text = (
        "江苏恒康医药股份有限公司(以下简称“恒康医药”)与中国药科大学签订协议。恒康医药董事长孙志远出席。"
        "省药监局、山西省药品监督管理局和晋中市政府参加。"
    )
    orgs = {o.name: o for o in find_organizations(ArticleScan.of(text))}
    assert orgs["江苏恒康医药股份有限公司"].aliases == ["恒康医药"]
    assert [text[s:e] for s, e in orgs["江苏恒康医药股份有限公司"].spans] == [
        "江苏恒康医药股份有限公司",
        "恒康医药",
        "恒康医药",
    ]
    assert orgs["山西省药品监督管理局"].aliases == ["省药监局"]
    assert "中国药科大学" in orgs and "晋中市人民政府" in orgs


def test_names_broken_across_lines_are_rejoined_and_spans_point_into_the_original() -> None:
    text = "7月12日,山西医科大学第一医院牵头的研究中心在太原揭牌。中心联合太原理工\n大学开展脑机接口设备研发。"
    joined, index = join_layout_breaks(text)
    assert "太原理工大学" in joined and len(index) == len(text) - 1
    e = extract(article(text))
    (org,) = [o for o in e.organizations if o.name == "太原理工大学"]
    assert [text[s:e] for s, e in org.spans] == ["太原理工\n大学"]
    assert e.events[0].date == date(2025, 7, 12)


def test_dialogue_lines_are_not_joined() -> None:
    text = "记者:公司今年有哪些进展\n周明辉:今年上半年我们获得认证"
    assert join_layout_breaks(text)[0] == text


def test_seed_page_non_industry_articles_score_below_its_industry_article() -> None:
    golds = {g["id"]: g for g in load()}
    score = {
        i: extract(
            article(golds[i]["text"], date.fromisoformat(golds[i]["published_at"]))
        ).relevance
        for i in ("seed-000-1", "seed-000-2", "seed-000-3")
    }
    assert score["seed-000-1"] > 0.5
    assert score["seed-000-2"] < 0.2 and score["seed-000-3"] < 0.2


def test_district_bodies_written_short_take_the_page_district() -> None:
    text = "1月9日,济南市历下区召开会议,区应急管理局局长刘军通报了全区形势。"
    assert "历下区应急管理局" in {o.name for o in find_organizations(ArticleScan.of(text))}


def test_latin_company_names_with_a_country_and_legal_suffix() -> None:
    text = "香港中文大学医学院与日本Takumi Pharma Inc.在香港签署合作研究协议。"
    assert {o.name for o in find_organizations(ArticleScan.of(text))} == {
        "香港中文大学医学院",
        "日本Takumi Pharma Inc.",
    }


def test_month_part_without_a_year_word_is_resolved_against_the_page() -> None:
    e = extract(article("8月下旬,推进会在德阳召开。", date(2025, 9, 3)))
    assert [ev.date for ev in e.events] == [date(2025, 8, 25)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "国家区域医疗中心(心血管)——阜外华中心血管病医院武汉分院在武汉揭牌。",
            "阜外华中心血管病医院武汉分院",
        ),
        ("4月1日,杭州市人民政府办公室印发通知。", "杭州市人民政府办公室"),
        ("台湾生技企业台瑞生技股份有限公司宣布", "台瑞生技股份有限公司"),
        ("中国医药企业管理协会发布报告", "中国医药企业管理协会"),
    ],
)
def test_names_start_after_descriptors_and_keep_their_own_endings(text: str, name: str) -> None:
    assert [o.name for o in find_organizations(ArticleScan.of(text))] == [name]


def test_a_city_government_office_is_named_in_full() -> None:
    assert canonical("市政府办公室", "浙江省", "杭州市") == "杭州市人民政府办公室"
    assert canonical("香港特区政府", None, None) == "香港特区政府"


def test_a_county_named_in_full_is_also_found_by_its_short_form() -> None:
    text = "浙江省长兴县人民医院派专家常驻长兴。"
    places = find_locations(ArticleScan.of(text), [(0, 12)])
    assert [(p.name, p.adcode, p.spans) for p in places] == [("长兴县", "330522", [(15, 17)])]
    assert find_locations(ArticleScan.of("长兴公司"), []) == []


def test_investors_in_a_funding_round_are_organisations_without_an_ending() -> None:
    text = "宣布完成2.5亿元B轮融资,本轮由元禾控股领投,国投创合、深创投跟投。"
    assert [o.name for o in find_organizations(ArticleScan.of(text))] == [
        "元禾控股",
        "国投创合",
        "深创投",
    ]
    assert find_organizations(ArticleScan.of("老股东持续跟投。")) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("南京江北新区举行推介会,项目落户南京生物医药谷。", ["南京江北新区", "南京生物医药谷"]),
        ("上海市浦东新区发布通知。", []),  # a district, not a zone's body
    ],
)
def test_new_areas_and_medicine_valleys_are_parks(text: str, names: list[str]) -> None:
    assert [o.name for o in find_organizations(ArticleScan.of(text))] == names


def test_a_foreign_company_is_also_named_by_its_core() -> None:
    text = "华山医院与德国Medivance GmbH签署合作备忘录。Medivance公司亚太区总裁出席。"
    (_, foreign) = find_organizations(ArticleScan.of(text))
    assert foreign.name == "德国Medivance GmbH" and foreign.aliases == ["Medivance公司"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "首都医科大学附属北京儿童医院血液肿瘤中心为患儿开出处方。",
            ["首都医科大学附属北京儿童医院血液肿瘤中心"],
        ),
        ("当地与内蒙古蒙草中药材有限公司合作。", ["内蒙古蒙草中药材有限公司"]),
        ("拟以6.3亿元收购苏州瑞康基因技术有限公司51%股权。", ["苏州瑞康基因技术有限公司"]),
        ("湖北省人民政府新闻办公室举行发布会。", ["湖北省人民政府新闻办公室"]),
        ("支持其在合肥高新区建设重组蛋白药物产业化基地。", ["合肥高新区"]),
        ("南京生物医药谷建设发展有限公司", ["南京生物医药谷建设发展有限公司"]),
        ("中国建设银行合肥分行", ["中国建设银行合肥分行"]),
    ],
)
def test_name_edges_on_unseen_phrasings(text: str, names: list[str]) -> None:
    assert [o.name for o in find_organizations(ArticleScan.of(text))] == names


def test_economy_and_information_bureaus_are_named_in_full() -> None:
    assert canonical("省经信厅", "湖北省", None) == "湖北省经济和信息化厅"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("对接会在浙江大学举行,浙江工业大学发布成果。", ["浙江大学", "浙江工业大学"]),
        ("项目与浙江华东康瑞药业有限公司合作完成。", ["浙江华东康瑞药业有限公司"]),
        ("丹麦NordGen A/S与青岛市人民政府签署协议。", ["丹麦NordGen A/S", "青岛市人民政府"]),
    ],
)
def test_a_name_is_not_an_abbreviation_of_another_and_ends_the_text_before_it(
    text: str, names: list[str]
) -> None:
    assert [o.name for o in find_organizations(ArticleScan.of(text))] == names


def test_a_joint_body_keeps_both_founders_in_its_name() -> None:
    text = "3月11日,天津大学—天津天士宁药业有限公司现代中药智能制造联合实验室揭牌。"
    assert [o.name for o in find_organizations(ArticleScan.of(text))] == [
        "天津大学—天津天士宁药业有限公司现代中药智能制造联合实验室"
    ]
    text = "国家区域医疗中心(心血管)——阜外华中心血管病医院武汉分院揭牌。"
    assert [o.name for o in find_organizations(ArticleScan.of(text))] == [
        "阜外华中心血管病医院武汉分院"
    ]
