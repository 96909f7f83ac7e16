"""Persons with their roles, as Chinese news introduces them: `省药监局党组书记、局长李庭芳`,
`中国工程院院士、西安交通大学教授卢秉恒`, `记者黄晶`; interview speakers (`蒋永斌:` opening a
paragraph) take the roles they were introduced with."""

from __future__ import annotations

import re

from medwire_common.schemas import Organization, Person

# The commonest surnames (single and compound); a name is a surname and one or two characters.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦"
    "戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻"
    "苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练"
    "廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿"
    "鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "夏侯",
)
TITLES = (
    "党组书记",
    "党委书记",
    "副书记",
    "书记",
    "常委",
    "副局长",
    "局长",
    "副市长",
    "市长",
    "副省长",
    "省长",
    "副主任",
    "主任",
    "副院长",
    "院长",
    "副校长",
    "校长",
    "院士",
    "教授",
    "研究员",
    "副主席",
    "主席",
    "秘书长",
    "董事长",
    "副总经理",
    "总经理",
    "总裁",
    "首席执行官",
    "CEO",
    "创始人",
    "所长",
    "处长",
    "厅长",
    "部长",
    "专员",
    "调研员",
    "总工程师",
    "高级工程师",
    "工程师",
    "经理",
    "负责人",
    "主持人",
    "记者",
    "通讯员",
    "会长",
    "副会长",
    "理事长",
    "区长",
    "县长",
    "主委",
    "委员",
    "代表",
    "医师",
    "主任医师",
    "系主任",
)
_TITLE_ALT = "|".join(sorted(map(re.escape, TITLES), key=len, reverse=True))
_TITLE = re.compile(_TITLE_ALT)
_DELIMITERS = re.compile(r"[，,。；;：:“”\"\s()（）!！?？]")
_LEAD_IN = re.compile(
    r".*(?:(?<![自理缘])由|邀请)"
)  # `…环节由` / `邀请` open a clause; `自由贸易区` does not
_AFTER_NAME = set(
    "，,、。；;：:）)（( 出主表致介指说强在参分以围和等为带作宣解代发称认希要就对向与也将则回担率会进现一同深及"
)
_SPEAKER = re.compile(r"^([\u4e00-\u9fff]{2,3})[:：]")


def _name_at(text: str, i: int) -> str | None:
    """The person's name starting at text[i], if any: surname + 1–2 characters, then a break."""
    for size in (3, 2, 4):
        name = text[i : i + size]
        after = text[i + size : i + size + 1]
        if len(name) < size or not re.fullmatch(r"[\u4e00-\u9fff]+", name):
            continue
        surname_ok = name[0] in SURNAMES or name[:2] in COMPOUND_SURNAMES
        if (
            surname_ok
            and name[-1] not in "等和及与在为的了是将对向并"  # `李崇等` is 李崇 and a particle
            and (after == "" or after in _AFTER_NAME)
            and not any(t in name for t in ("书记", "局长", "主任"))
        ):
            return name
    return None


def find_persons(text: str, organizations: list[Organization]) -> list[Person]:
    found: dict[str, Person] = {}
    last_name_end = 0
    for m in _TITLE.finditer(text):
        name = _name_at(text, m.end())
        if not name:
            continue
        # Roles run back to the previous delimiter or the previous person (`…教授王卫东、…主任杨健`).
        delimiters = [
            d.end() for d in _DELIMITERS.finditer(text, max(0, m.start() - 40), m.start())
        ]
        start = max([last_name_end, *delimiters, max(0, m.start() - 40)])
        segment = text[start : m.end()].lstrip("、")
        lead_in = _LEAD_IN.match(segment)
        segment = segment[lead_in.end() :] if lead_in else segment
        roles = [r for r in segment.split("、") if r]
        person = found.setdefault(name, Person(name=name))
        person.roles = list(dict.fromkeys(person.roles + roles))
        person.spans.append((m.end(), m.end() + len(name)))
        last_name_end = m.end() + len(name)
        if person.organization is None:
            person.organization = next(
                (
                    o.name
                    for o in organizations
                    if any(o.name in r or any(a in r for a in o.aliases) for r in roles)
                ),
                None,
            )
    offset = 0
    for paragraph in text.split("\n"):
        speaker = _SPEAKER.match(paragraph)
        if speaker and speaker.group(1) in found:
            found[speaker.group(1)].spans.append((offset, offset + len(speaker.group(1))))
        elif speaker and (speaker.group(1)[0] in SURNAMES) and speaker.group(1) != "记者":
            found.setdefault(speaker.group(1), Person(name=speaker.group(1))).spans.append(
                (offset, offset + len(speaker.group(1)))
            )
        offset += len(paragraph) + 1
    return list(found.values())
