"""Agreements, policies and in-article abbreviations (issue #4, part)."""

import sys
from pathlib import Path

from medwire_extractor.core import ArticleScan, find_organizations
from medwire_extractor.core.agreements import find_agreements, find_policies, is_abbreviation

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures" / "extractor"))
from gold import load  # noqa: E402

SEED = next(g for g in load() if g["id"] == "seed-000-1")


def test_abbreviations_become_aliases_of_the_full_name_on_the_page() -> None:
    orgs = {o.name: o for o in find_organizations(ArticleScan.of(SEED["text"]))}
    assert orgs["山西省药品监督管理局"].aliases == ["省药监局"]
    assert orgs["山西转型综改示范区晋中开发区"].aliases == ["示范区晋中开发区"]
    assert "省药监局" not in orgs
    assert is_abbreviation("省药监局", "山西省药品监督管理局") and not is_abbreviation(
        "中北大学", "山西医科大学"
    )


def test_seed_agreements_have_resolved_parties_and_titles() -> None:
    scan = ArticleScan.of(SEED["text"])
    got = [(a.parties, a.title) for a in find_agreements(scan, find_organizations(scan))]
    assert (
        ["山西省药品监督管理局", "山西转型综改示范区晋中开发区", "山西省人民医院"],
        "医疗器械临床试验研究平台合作备忘录",
    ) in got
    assert (["山西尚美医疗", "山西白求恩医院"], "项目合作协议") in got
    assert (["星禾药业", "太原理工大学"], "项目合作协议") in got
    assert (["8家入驻企业", "晋中开发区医疗器械产业园"], "签约落户") in got


def test_jointly_signed_title_is_read_once() -> None:
    text = "揭牌仪式现场,四川大学华西医院与合作共建单位分别签署《共建国家精准医学产业创新中心合作协议》。"
    scan = ArticleScan.of(text)
    (agreement,) = find_agreements(scan, find_organizations(scan))
    assert agreement.parties == ["四川大学华西医院", "合作共建单位"]
    assert agreement.title == "共建国家精准医学产业创新中心合作协议"


def test_policies_are_told_apart_from_reports_and_agreements() -> None:
    text = (
        "宣讲《山西省全面深化药品医疗器械监管改革促进医药产业高质量发展若干措施》;形成《政策落实清单》;"
        "发布了《国家产业创新中心建设工作指引(试行)》;发布了《医疗器械行业人才市场》报告;"
        "签署《共建国家精准医学产业创新中心合作协议》;印发《2025年度工作报告》。"
    )
    assert [p.title for p in find_policies(text)] == [
        "山西省全面深化药品医疗器械监管改革促进医药产业高质量发展若干措施",
        "政策落实清单",
        "国家产业创新中心建设工作指引(试行)",
    ]


def parties_of(text: str) -> list[tuple[list[str], str | None]]:
    scan = ArticleScan.of(text)
    return [(a.parties, a.title) for a in find_agreements(scan, find_organizations(scan))]


def test_an_unknown_signing_phrase_takes_the_organisations_named_before_it() -> None:
    text = "郑州大学第一附属医院与河南华兰康生物股份有限公司战略合作协议签约仪式在郑州举行。"
    assert parties_of(text) == [
        (["郑州大学第一附属医院", "河南华兰康生物股份有限公司"], "战略合作协议")
    ]


def test_an_elided_subject_is_the_organisation_named_before() -> None:
    text = "2月19日,药康生物技术有限公司宣布,与美国GenTech公司就一款抗体达成全球独家许可协议。"
    assert parties_of(text) == [(["药康生物技术有限公司", "美国GenTech公司"], "全球独家许可协议")]


def test_each_pair_signs_its_own_agreement() -> None:
    text = "嘉兴经济技术开发区与杭州海瑞医疗科技有限公司、宁波康达生物医药有限公司分别签订项目投资协议。"
    assert parties_of(text) == [
        (["嘉兴经济技术开发区", "杭州海瑞医疗科技有限公司"], "项目投资协议"),
        (["嘉兴经济技术开发区", "宁波康达生物医药有限公司"], "项目投资协议"),
    ]


def test_intentions_are_not_agreements() -> None:
    text = (
        "甘肃中瑞药业有限责任公司、陇西恒方制药有限公司等企业与高校开展技术对接,达成合作意向23项。"
    )
    assert parties_of(text) == []


def test_a_descriptor_before_a_named_party_is_not_a_party() -> None:
    text = "10月17日,台湾生技企业台瑞生技股份有限公司宣布与上海复康汉霖生物技术股份有限公司签订授权协议。"
    assert parties_of(text) == [
        (["台瑞生技股份有限公司", "上海复康汉霖生物技术股份有限公司"], "授权协议")
    ]


def test_the_organisation_that_formed_a_party_does_not_sign() -> None:
    text = (
        "浙江省长兴县人民医院牵头组建的长兴县域医共体与上海交通大学医学院附属新华医院签订合作协议。"
    )
    assert parties_of(text) == [(["长兴县域医共体", "上海交通大学医学院附属新华医院"], "合作协议")]


def test_counted_signings_name_no_parties() -> None:
    text = (
        "浙江工业大学、浙江海正药业股份有限公司等80余家单位参会,现场签约项目15个,合同金额1.2亿元。"
    )
    assert parties_of(text) == []


def test_both_sides_are_the_last_two_organisations_named() -> None:
    text = "天津大学副校长、天津天士宁药业有限公司总经理共同揭牌。双方签署了联合实验室共建协议。"
    assert parties_of(text) == [(["天津大学", "天津天士宁药业有限公司"], "联合实验室共建协议")]


def test_a_limited_partnership_signs_under_its_full_name() -> None:
    text = "康弘生物与广州国投医疗产业基金合伙企业(有限合伙)签署股权转让协议。"
    assert parties_of(text)[0][0][-1] == "广州国投医疗产业基金合伙企业(有限合伙)"
