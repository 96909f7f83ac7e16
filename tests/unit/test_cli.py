"""`medwire process` and `medwire extract --jsonl` run the cores offline, as DESIGN.md says."""

import json
import subprocess
import sys

from tests.support import ROOT

SITE = ROOT / "tests" / "fixtures" / "site" / "www"


def medwire(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "medwire_cli", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_process_prints_one_enriched_record_per_article() -> None:
    page = SITE / "epaper/2025-08/01/node_01.html"
    done = medwire(
        "process",
        str(page),
        "--url",
        "http://www.sxkjb.com/epaper/2025-08/01/node_01.html",
        "--fetched-at",
        "2025-08-01T08:00:00+08:00",
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["title"] for r in records][0] == "医药创新转化公共服务平台在晋中启动"
    assert len(records) == 3 and all(r["published_at"] == "2025-08-01" for r in records)
    assert records[0]["source"]["domain"] == "www.sxkjb.com"
    assert records[0]["relevance"] > records[1]["relevance"]


def test_process_takes_urls_from_a_map_and_reads_gbk(tmp_path) -> None:
    page = SITE / "news/2025/0710/zhuce.html"
    url_map = tmp_path / "urls.json"
    url_map.write_text(
        json.dumps({"zhuce.html": "http://yjj.shanxi.gov.cn/news/2025/0710/zhuce.html"})
    )
    done = medwire("process", str(page), "--url-map", str(url_map))
    assert done.returncode == 0, done.stderr
    (record,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert record["url"] == "http://yjj.shanxi.gov.cn/news/2025/0710/zhuce.html"
    assert "山西省药品监督管理局" in record["text"]


def test_extract_jsonl_keeps_ids_and_finds_money() -> None:
    lines = "\n".join(
        json.dumps(x, ensure_ascii=False)
        for x in [
            {"id": "x1", "text": "目前,项目初期总投资 10.52 亿元。", "published_at": "2022-04-08"},
            {"id": "x2", "text": "总投资 15亿元,占地面积76亩。"},
        ]
    )
    done = medwire("extract", "--jsonl", stdin=lines)
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in out] == ["x1", "x2"]
    assert (
        out[0]["amounts"][0]["value"] == 1052000000 and out[1]["amounts"][0]["value"] == 1500000000
    )


def test_extract_jsonl_names_the_line_with_a_bad_publication_date() -> None:
    lines = "\n".join(
        json.dumps(x, ensure_ascii=False)
        for x in [
            {"id": "ok", "text": "总投资 15亿元。", "published_at": "2025-08-01"},
            {"id": "slashed", "text": "总投资 15亿元。", "published_at": "2025/08/01"},
        ]
    )
    done = medwire("extract", "--jsonl", stdin=lines)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "line 2 (id slashed): published_at '2025/08/01' is not an ISO date" in done.stderr


def test_missing_file_is_a_clear_error() -> None:
    done = medwire("process", "no/such/page.html")
    assert done.returncode != 0 and "no such file: no/such/page.html" in done.stderr


def test_openapi_prints_the_api_document_with_its_filters() -> None:
    done = medwire("openapi")
    assert done.returncode == 0, done.stderr
    spec = json.loads(done.stdout)
    assert spec["openapi"].startswith("3.")
    listing = spec["paths"]["/v1/articles"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"organization", "adcode", "event_type", "min_relevance", "cursor"} <= names
    assert "/v1/articles/{article_id}" in spec["paths"]
