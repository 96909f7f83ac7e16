"""The NER model beside the rules (#20): BIO decoding, sentence cuts, how model spans join the
rules' (pure), the committed model read from the package, training being reproducible, and its
held-out scores on the public corpora (skipped where ../shared/corpus/ner is absent)."""

from datetime import UTC, datetime

import pytest

from medwire_common.schemas import CleanArticle, Location, Organization, Person
from medwire_extractor.core import extract
from medwire_extractor.core.combine import join_model_entities
from medwire_extractor.core.locations import place_mentions
from medwire_extractor.core.ner import bio_entities, char_features, find_entities, sentence_spans
from medwire_extractor.ner_corpus import corpus_dir, read_bio, score, splits
from medwire_extractor.train import evaluate, main


def test_bio_tags_decode_to_spans_and_a_stray_inside_tag_starts_an_entity() -> None:
    tags = ["B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-ORG", "B-ORG", "I-ORG"]
    assert bio_entities(tags) == [(0, 2, "PER"), (3, 5, "LOC"), (5, 6, "ORG"), (6, 8, "ORG")]


def test_sentences_are_cut_at_sentence_punctuation_and_at_a_length_limit() -> None:
    text = "张三说。李四说！\n" + "长" * 900
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans[:2]] == ["张三说", "李四说"]
    assert all(e - s <= 400 for s, e in spans)
    assert sum(e - s for s, e in spans[2:]) == 900


def test_model_names_join_the_rules_only_where_no_rule_took_the_text() -> None:
    text = "山西省药品监督管理局局长李庭芳与张文宏在美国会面。"
    org = Organization(name="山西省药品监督管理局", spans=[(0, 10)])
    person = Person(name="李庭芳", roles=["局长"], spans=[(12, 15)])
    entities = [(0, 6, "ORG"), (12, 15, "PER"), (16, 19, "PER"), (20, 22, "LOC"), (0, 3, "LOC")]
    orgs, persons, places = join_model_entities(
        text, entities, ("PER", "ORG", "LOC"), [org], [person], []
    )
    assert [o.name for o in orgs] == ["山西省药品监督管理局"]
    assert [(p.name, p.roles) for p in persons] == [("李庭芳", ["局长"]), ("张文宏", [])]
    assert [(loc.name, loc.spans) for loc in places] == [("美国", [(20, 22)])]


def test_model_types_left_out_are_not_added() -> None:
    text = "张文宏在美国表示。"
    _, persons, places = join_model_entities(
        text, [(0, 3, "PER"), (4, 6, "LOC")], ("PER",), [], [], [Location(name="x")]
    )
    assert [p.name for p in persons] == ["张文宏"] and [loc.name for loc in places] == ["x"]


def _article(text: str) -> CleanArticle:
    return CleanArticle.of("n", text, datetime(2026, 1, 1, tzinfo=UTC), title="t")


def test_extract_finds_a_bare_name_with_the_model_and_not_without_it() -> None:
    text = "张文宏表示，疫苗研发进展顺利。"
    with_model = extract(_article(text), ("PER",))
    rules_only = extract(_article(text), ())
    assert [(p.name, p.spans) for p in with_model.persons] == [("张文宏", [(0, 3)])]
    assert rules_only.persons == []


def test_the_committed_model_tags_names_in_a_list() -> None:
    text = "王明、李华、赵刚出席了会议。"
    assert {text[s:e] for s, e, kind in find_entities(text) if kind == "PER"} == {
        "王明",
        "李华",
        "赵刚",
    }


def test_lines_without_a_chinese_character_are_not_tagged() -> None:
    # What the model found in such lines of real pages: `add-host` as an organisation, `Copy`
    # as a person. The Chinese sentence after them keeps its offsets.
    text = "docker run --add-host=host.docker.internal\nCopy\n王明、李华出席了会议。"
    found = find_entities(text)
    assert {text[s:e] for s, e, _ in found} == {"王明", "李华"}
    assert all(s >= text.index("王明") for s, _, _ in found)


def _write_corpus(root) -> None:
    sentence = "".join(
        f"{c} {t}\n"
        for c, t in zip("王明在北京", ["B-PER", "I-PER", "O", "B-LOC", "I-LOC"], strict=True)
    )
    other = "".join(
        f"{c} {t}\n"
        for c, t in zip("李华去上海", ["B-PER", "I-PER", "O", "B-LOC", "I-LOC"], strict=True)
    )
    for name in ("pd1998_dev.bio", "msra_train_part.bio", "weibo_train.bio", "weibo_dev.bio"):
        (root / name).write_text((sentence + "\n" + other + "\n") * 3, encoding="utf-8")
    (root / "cluener2020_train.jsonl").write_text(
        '{"text": "赵刚在深圳", "label": {"name": {"赵刚": [[0, 1]]}, "address": {"深圳": [[3, 4]]}}}\n',
        encoding="utf-8",
    )


def test_training_twice_on_the_same_corpus_gives_the_same_model(tmp_path) -> None:
    corpus = tmp_path / "ner"
    corpus.mkdir()
    _write_corpus(corpus)
    first, second = tmp_path / "a.crfsuite", tmp_path / "b.crfsuite"
    for out in (first, second):
        assert main(["--corpus", str(corpus), "--out", str(out), "--iterations", "20"]) == 0
    assert first.read_bytes() == second.read_bytes()
    scores, _ = evaluate(first, read_bio(corpus / "pd1998_dev.bio"))
    assert scores["PER"].gold == 6 and scores["PER"].found > 0


needs_corpus = pytest.mark.skipif(
    not (corpus_dir() / "pd1998_dev.bio").exists(),
    reason=f"the public NER corpus is not at {corpus_dir()} (../shared/corpus/ner)",
)


@needs_corpus
def test_the_model_holds_its_scores_on_sentences_it_never_trained_on() -> None:
    # Below #20's targets (0.82 / 0.70): floors a little under what the committed model scored
    # (docs/extractor.md), so that a worse model fails here.
    data = splits()
    scores = {}
    for name in ("pd_test", "cluener_test"):
        sentences = data[name]
        pairs = [(find_entities(s.text), s.entities()) for s in sentences]
        scores[name] = score(pairs)
    assert scores["pd_test"]["ALL"].f1 >= 0.78, scores["pd_test"]["ALL"]
    assert min(scores["pd_test"][k].f1 for k in ("PER", "ORG", "LOC")) >= 0.73
    assert scores["cluener_test"]["ALL"].f1 >= 0.67, scores["cluener_test"]["ALL"]


def test_the_model_types_setting_takes_a_subset_of_per_org_loc_and_refuses_others(
    monkeypatch,
) -> None:
    from pydantic import ValidationError

    from medwire_extractor.core.ner import entity_types
    from medwire_extractor.settings import ExtractorSettings

    monkeypatch.setenv("MEDWIRE_EXTRACTOR_MODEL_ENTITIES", "PER,LOC")
    assert entity_types(ExtractorSettings().model_entities) == ("PER", "LOC")
    monkeypatch.setenv("MEDWIRE_EXTRACTOR_MODEL_ENTITIES", "")
    assert entity_types(ExtractorSettings().model_entities) == ()
    monkeypatch.setenv("MEDWIRE_EXTRACTOR_MODEL_ENTITIES", "PER,GPE")
    with pytest.raises(ValidationError):
        ExtractorSettings()


@pytest.mark.parametrize(
    "text",
    [
        "太原市卫健委主任张建国在晋中市调研。北京市海淀区的李华表示，山西省将加快发展。",
        # a run-on cut every 400 characters: a place name across a cut is found afresh
        "山西省太原市小店区" * 60 + "。王明在大同市。",
        "",
    ],
)
def test_the_articles_place_mentions_give_the_features_each_sentence_would_find(
    text: str,
) -> None:
    places = place_mentions(text)
    assert find_entities(text, places) == find_entities(text)
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        own = [(s - start, e - start, d) for s, e, d in places if start <= s and e <= end]
        if not any(s < start < e or s < end < e for s, e, _ in places):  # not cut through
            assert char_features(sentence, own) == char_features(sentence)
