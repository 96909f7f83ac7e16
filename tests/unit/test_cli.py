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
    assert done.returncode == 1 and "no/such/page.html: failed: no such file" in done.stderr


EPAPER = SITE / "epaper/2025-08/01/node_01.html"
GBK_PAGE = SITE / "news/2025/0710/zhuce.html"


def test_process_reports_each_files_outcome_on_stderr(tmp_path) -> None:
    furniture = tmp_path / "furniture.txt"
    furniture.write_text("责任编辑：王强\n上一篇：关于开展义诊活动的通知\n打印本页 关闭窗口\n")
    done = medwire("process", str(EPAPER), str(furniture), str(GBK_PAGE))
    assert done.returncode == 0, done.stderr  # a page with no article is a verdict, not a failure
    epaper, no_article, gbk = done.stderr.splitlines()
    assert (epaper, gbk) == (f"{EPAPER}: 3 articles", f"{GBK_PAGE}: 1 article")
    assert no_article.startswith(f"{furniture}: no article (not_article: ")
    assert "characters of text but no article" in no_article and no_article.endswith(")")
    assert len(done.stdout.splitlines()) == 4


def test_process_goes_on_past_missing_and_unreadable_files_and_exits_non_zero(tmp_path) -> None:
    missing = tmp_path / "gone.html"
    done = medwire("process", str(missing), str(tmp_path), str(GBK_PAGE))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"{missing}: failed: no such file",
        f"{tmp_path}: failed: not a regular file",
        f"{GBK_PAGE}: 1 article",
    ]
    (record,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert "山西省药品监督管理局" in record["text"]


def test_process_refuses_one_url_for_several_files() -> None:
    done = medwire("process", str(EPAPER), str(GBK_PAGE), "--url", "http://x.test/a.html")
    assert done.returncode == 2 and done.stdout == ""
    assert "--url gives one URL to all 2 files" in done.stderr and "--url-map" in done.stderr


def test_process_help_says_what_a_failed_file_is() -> None:
    done = medwire("process", "--help")
    assert done.returncode == 0
    assert "exit status is 1 if any file failed" in done.stdout
    assert "not a failure" in done.stdout


HEAVY = (
    "scipy",
    "datasketch",
    "jieba",
    "rjieba",
    "trafilatura",
    "medwire_cleaner",
    "medwire_extractor",
)


def test_help_imports_none_of_the_cores_or_their_heavy_libraries() -> None:
    probe = (
        "import json, sys\n"
        "from medwire_cli.__main__ import main\n"
        "for argv in (['--help'], ['process', '--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, exc.code\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_openapi_prints_the_api_document_with_its_filters() -> None:
    done = medwire("openapi")
    assert done.returncode == 0, done.stderr
    spec = json.loads(done.stdout)
    assert spec["openapi"].startswith("3.")
    listing = spec["paths"]["/v1/articles"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"organization", "adcode", "event_type", "min_relevance", "cursor"} <= names
    assert "/v1/articles/{article_id}" in spec["paths"]
