"""Persons and their roles as the seeds introduce them."""

import pytest

from medwire_extractor.core import ArticleScan, find_organizations
from medwire_extractor.core.persons import find_persons


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "省药监局党组书记、局长李庭芳,晋中市委副书记、市长刘星出席并致辞。",
            [("李庭芳", ["省药监局党组书记", "局长"]), ("刘星", ["晋中市委副书记", "市长"])],
        ),
        (
            "中国工程院院士、西安交通大学教授卢秉恒围绕“3D 打印精准医疗的产业化”交流。",
            [("卢秉恒", ["中国工程院院士", "西安交通大学教授"])],
        ),
        (
            "论坛圆桌讨论环节由中关村智友人工智能与机器人研究院院长王田苗主持,中国人民解放军总医院医学创新研究部教授王卫东、"
            "北京品驰医疗设备有限公司总经理李崇等参与讨论",
            [
                ("王田苗", ["中关村智友人工智能与机器人研究院院长"]),
                ("王卫东", ["中国人民解放军总医院医学创新研究部教授"]),
                ("李崇", ["北京品驰医疗设备有限公司总经理"]),
            ],
        ),
        (
            "本报讯(记者黄晶)6月11日,省委常委、大同市委书记卢东亮深入调研。",
            [("黄晶", ["记者"]), ("卢东亮", ["省委常委", "大同市委书记"])],
        ),
    ],
)
def test_persons_with_roles(text: str, expected: list[tuple[str, list[str]]]) -> None:
    persons = find_persons(text, find_organizations(ArticleScan.of(text)))
    assert [(p.name, p.roles) for p in persons] == expected
    for p in persons:
        assert all(text[s:e] == p.name for s, e in p.spans)


def test_interview_speaker_is_the_person_introduced_earlier() -> None:
    text = "市医药及医疗器械产业链专员蒋永斌进行了详细解答。\n记者:开展了哪些工作?\n蒋永斌:现有近70家企业。"
    (person,) = find_persons(text, [])
    assert (
        person.name == "蒋永斌"
        and person.roles == ["市医药及医疗器械产业链专员"]
        and len(person.spans) == 2
    )


def test_reporter_label_is_not_a_person() -> None:
    assert find_persons("记者:开展了哪些工作?", []) == []


def test_transliterated_names_are_joined_by_a_middle_dot() -> None:
    text = "新疆维吾尔自治区药品监督管理局局长艾尔肯·吐尔逊一行到企业调研。"
    (person,) = find_persons(text, [])
    assert person.name == "艾尔肯·吐尔逊"
    assert person.roles == ["新疆维吾尔自治区药品监督管理局局长"]


def test_a_name_in_latin_letters_after_a_title_is_a_person() -> None:
    (person,) = find_persons("华山医院副院长顾晓明、Medivance公司亚太区总裁Thomas Weber出席。", [])[
        1:
    ]
    assert person.name == "Thomas Weber" and person.roles == ["Medivance公司亚太区总裁"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("河北省委常委、副省长何振邦到安国市调研。", "何振邦"),
        ("中国工程院院士、山东大学教授孔祥生院士工作站揭牌。", "孔祥生"),
    ],
)
def test_names_before_a_destination_or_a_named_workstation(text: str, name: str) -> None:
    assert [p.name for p in find_persons(text, [])] == [name]


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        ("研究负责人、医院胸外科主任孙立新教授介绍", "孙立新", ["研究负责人", "医院胸外科主任"]),
        (
            "市委副书记、市长、市生物医药产业链链长孟庆华带队",
            "孟庆华",
            ["市委副书记", "市长", "市生物医药产业链链长"],
        ),
    ],
)
def test_titles_after_the_name_and_chain_chiefs(text: str, name: str, roles: list[str]) -> None:
    (person,) = find_persons(text, [])
    assert (person.name, person.roles) == (name, roles)
