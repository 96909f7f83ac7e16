"""API and storage at scale: load synthetic enriched articles into a PostgreSQL of the bench's
own, then measure, at N concurrent clients over HTTP against a real API process, article by id,
filtered lists — each beside the same SQL through raw asyncpg (the baseline, same run) — and
the ingest rate beside raw asyncpg COPY of the same records. Full-text search left PostgreSQL
for OpenSearch (issue #21): its measurement here went with it, and comes back against
OpenSearch (issue #21, Deliver 6); the searches are still drawn, so the other queries' draws
stay those of earlier runs.

    python bench/api_load.py [--articles 1000000] [--clients 8] [--requests 1500]

Writes the `api load` section of BENCHMARKS.md. Needs PostgreSQL binaries (scripts/test
installs them); the database lives in a temporary directory and is removed afterwards unless
--keep DIR is given (then a second run reuses the loaded database).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from medwire_api.db import make_engine, migrate, read_session, upsert_articles
from medwire_api.settings import ApiSettings
from medwire_common.schemas import (
    Agreement,
    Amount,
    EnrichedArticle,
    Event,
    Location,
    Organization,
    Person,
    Policy,
    Source,
)

sys.path.insert(0, str(Path(__file__).parent))
from benchfile import free_port, infra, write_section  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ADCODES = ROOT / "services/common/medwire_common/data/adcodes.tsv"
BATCH = 1000
SHARED_BUFFERS = "4GB"

# --- synthetic articles -------------------------------------------------------------------

CORES = (
    "恒瑞 华润 康达 博奥 齐鲁 复星 石药 科伦 天士力 步长 康缘 亚宝 振东 仁和 同仁堂 云南白药 "
    "迈瑞 联影 鱼跃 乐普 微创 威高 新华 安图 万孚 九强 华大 药明 泰格 凯莱英 贝达 信达 君实 "
    "百济 荣昌 康方 和黄 绿叶 人福 丽珠 海正 华海 健康元 以岭 益佰 片仔癀 东阿 太极 白云山"
).split()
ENDINGS = [
    ("医药有限公司", "company"), ("生物科技有限公司", "company"), ("医疗器械有限公司", "company"),
    ("药业集团", "company"), ("制药股份有限公司", "company"), ("人民医院", "hospital"),
    ("中医医院", "hospital"), ("医科大学", "university"), ("药物研究院", "research_institute"),
    ("医药行业协会", "association"), ("生物医药产业园", "park"),
]  # fmt: skip
REGULATORS = [
    "药品监督管理局",
    "卫生健康委员会",
    "工业和信息化厅",
    "科学技术厅",
    "发展和改革委员会",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红晓东海波宁庆文斌玉兰"
TOPICS = [
    "医疗器械", "创新药", "生物医药", "中医药", "成果转化", "集采", "医保", "临床试验",
    "产业园区", "招商引资", "监管政策", "疫苗",
]  # fmt: skip
ROLES = ["董事长", "总经理", "局长", "副局长", "院长", "主任", "首席科学家", "党委书记"]
EVENT_TYPES = ["signing", "launch", "forum", "matchmaking", "unveiling", "groundbreaking", "visit"]
SOURCES = [
    ("山西科技报", "sxkjb.com"), ("国家药监局", "nmpa.gov.cn"), ("医药经济报", "yyjjb.com"),
    ("健康界", "cn-healthcare.com"), ("浙江日报", "zjrb.cn"), ("南方日报", "nfdaily.cn"),
    ("新华网", "xinhuanet.com"), ("中国医药报", "cnpharm.com"), ("动脉网", "vcbeat.top"),
    ("江苏药监局", "da.jiangsu.gov.cn"), ("上海科技报", "shkjb.com"), ("广东药监局", "mpa.gd.gov.cn"),
]  # fmt: skip
SENTENCES = [
    "{o1}与{o2}在{p}签署战略合作协议，双方将在创新药研发、临床试验和成果转化等方面深化合作。",
    "{p}{reg}发布《关于促进{t}高质量发展的若干措施》，提出到2027年产业规模突破{n}亿元。",
    "{o1}董事长{h}表示，公司将加大研发投入，今年计划投资{n}亿元建设智能化生产基地。",
    "据了解，{o2}自主研发的第三代{t}产品已获得国家药监局批准上市，填补了国内空白。",
    "活动现场，{o1}、{o2}等{n}家企业集中签约，总投资额达{n}亿元，涵盖高端医疗器械和生物制药。",
    "{p}坚持以科技创新引领产业发展，着力打造具有全国影响力的{t}产业集群。",
    "{h}强调，要持续优化营商环境，推动医药产业链、创新链、资金链、人才链深度融合。",
    "会上，{o2}介绍了{t}领域的最新进展，与会专家围绕关键技术攻关进行了深入交流。",
    "今年前三季度，{p}医药工业实现营业收入{n}亿元，同比增长{n}%，增速高于全国平均水平。",
    "{o1}是一家集研发、生产、销售于一体的高新技术企业，拥有发明专利{n}项。",
]


def _places() -> list[Location]:
    provinces: dict[str, str] = {}
    cities: dict[str, str] = {}
    rows = []
    for line in ADCODES.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, name, _short, province, city = (line.split("\t") + [""] * 5)[:5]
        rows.append((code, name, province, city))
        if code == province:
            provinces[code] = name
        elif code[4:] == "00":
            cities[code] = name
    places = []
    for code, name, province, city in rows:
        places.append(
            Location(
                name=name,
                adcode=code,
                province=provinces.get(province),
                city=cities.get(city or code) if code != province else None,
                district=name if code[4:] != "00" else None,
            )
        )
    return places


class Corpus:
    """Deterministic synthetic enriched articles with Zipf-like popularity of entities."""

    def __init__(self, seed: int = 727) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.places = _places()
        provinces = [p for p in self.places if p.adcode and p.adcode.endswith("0000")]
        cities = [p for p in self.places if p.adcode and p.adcode.endswith("00")]
        self.orgs: list[Organization] = []
        for core in CORES:
            for ending, kind in ENDINGS:
                place = self.rng.choice(cities).name.removesuffix("市")
                name = f"{place}{core}{ending}"
                self.orgs.append(
                    Organization(name=name, type=kind, aliases=[f"{core}{ending[:2]}"])
                )
        for province in provinces:
            for reg in REGULATORS:
                short = province.name[:2] + reg[:2] + "局"
                name = province.name + reg
                self.orgs.append(Organization(name=name, type="government", aliases=[short]))
        self.rng.shuffle(self.orgs)
        self.persons = [s + g1 + g2 for s in SURNAMES for g1 in GIVEN[:12] for g2 in GIVEN[12:24]]
        self.rng.shuffle(self.persons)
        self.org_weights = [1 / (i + 1) ** 0.8 for i in range(len(self.orgs))]
        self.place_weights = [1 / (i + 1) ** 0.5 for i in range(len(self.places))]

    def article(self, i: int) -> EnrichedArticle:
        """The `i`th article: the same whatever was generated before (a resumed load or an
        ingest sample does not repeat the first articles' texts and signatures)."""
        rng = random.Random(self.seed << 40 | i)
        orgs = list({o.name: o for o in rng.choices(self.orgs, self.org_weights, k=4)}.values())
        places = list(
            {p.name: p for p in rng.choices(self.places, self.place_weights, k=2)}.values()
        )
        people = rng.sample(self.persons[:5000], k=rng.randint(0, 3))
        topics = rng.sample(TOPICS, k=rng.randint(1, 3))
        published = date(2026, 11, 1) - timedelta(days=int(rng.expovariate(1 / 400)) % 3650)
        fill = {
            "o1": orgs[0].name, "o2": orgs[-1].name, "p": places[0].name,
            "reg": rng.choice(REGULATORS), "t": topics[0], "h": people[0] if people else "负责人",
        }  # fmt: skip
        text = "".join(
            rng.choice(SENTENCES).format(n=rng.randint(2, 500), **fill)
            for _ in range(rng.randint(4, 10))
        )
        name, domain = SOURCES[i % len(SOURCES)] if rng.random() < 0.5 else rng.choice(SOURCES)
        events = [
            Event(type=rng.choice(EVENT_TYPES), date=published, location=places[0].name,
                  participants=[o.name for o in orgs[:2]])
            for _ in range(rng.randint(0, 2))
        ]  # fmt: skip
        return EnrichedArticle(
            article_id=f"bench{i:08d}",
            page_id=f"page{i:08d}",
            url=f"https://{domain}/news/{published:%Y%m%d}/{i}.html",
            canonical_url=f"https://{domain}/news/{published:%Y%m%d}/{i}.html",
            source=Source(name=name, domain=domain),
            title=f"{orgs[0].name}{rng.choice(['签约', '发布', '获批', '投资', '启动'])}{topics[0]}项目",
            published_at=published,
            fetched_at=datetime.combine(published, datetime.min.time(), UTC),
            text=text,
            organizations=orgs,
            persons=[Person(name=p, roles=[rng.choice(ROLES)], organization=orgs[0].name) for p in people],
            locations=places,
            amounts=[Amount(text=f"{rng.randint(1, 99)}亿元", value=rng.randint(1, 99) * 1e8, kind="investment")]
            if rng.random() < 0.5 else [],
            events=events,
            agreements=[Agreement(parties=[o.name for o in orgs[:2]], title="战略合作协议", date=published)]
            if rng.random() < 0.3 and len(orgs) > 1 else [],
            policies=[Policy(title=f"关于促进{topics[0]}高质量发展的若干措施", issuer=orgs[-1].name)]
            if rng.random() < 0.2 else [],
            topics=topics,
            relevance=round(rng.random(), 3),
            content_hash=f"h{i}",
            minhash=[rng.getrandbits(62) for _ in range(64)],
        )  # fmt: skip

    def batches(self, start: int, stop: int) -> Iterator[list[EnrichedArticle]]:
        for at in range(start, stop, BATCH):
            yield [self.article(i) for i in range(at, min(stop, at + BATCH))]


# --- infrastructure ------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def load(url: str, corpus: Corpus, target: int) -> tuple[int, float]:
    """Bring the database to `target` articles; the count loaded now and the seconds it took."""
    conn = await asyncpg.connect(url)
    have = await conn.fetchval("SELECT count(*) FROM articles")
    await conn.close()
    engine = make_engine(ApiSettings(MEDWIRE_DATABASE_URL=url))
    start = time.perf_counter()
    done = 0
    for batch in corpus.batches(have, target):
        await upsert_articles(engine, batch)
        done += len(batch)
        if done % 50_000 < BATCH:
            rate = done / (time.perf_counter() - start)
            print(f"  loaded {have + done:,} ({rate:,.0f} articles/s)", flush=True)
    await engine.dispose()
    return done, time.perf_counter() - start


async def ingest_rates(url: str, corpus: Corpus, first: int, count: int) -> tuple[float, float]:
    """Articles per second through the API's upsert (new articles, with entities and bands) and through raw asyncpg COPY of the same records into a bare table."""
    articles = [a for batch in corpus.batches(first, first + count) for a in batch]
    engine = make_engine(ApiSettings(MEDWIRE_DATABASE_URL=url))
    start = time.perf_counter()
    for at in range(0, count, BATCH):
        await upsert_articles(engine, articles[at : at + BATCH])
    ours = count / (time.perf_counter() - start)
    await engine.dispose()
    conn = await asyncpg.connect(url)
    await conn.execute(
        "DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (article_id text PRIMARY KEY,"
        " record jsonb NOT NULL)"
    )
    rows = [(a.article_id, a.model_dump_json()) for a in articles]
    start = time.perf_counter()
    for at in range(0, count, BATCH):
        async with conn.transaction():
            await conn.copy_records_to_table("bench_copy", records=rows[at : at + BATCH])
    raw = count / (time.perf_counter() - start)
    await conn.execute("DROP TABLE bench_copy")
    # The ingest sample stays: remove it so that a rerun measures new articles again.
    await conn.execute(
        "DELETE FROM articles WHERE article_id = ANY($1)", [a.article_id for a in articles]
    )
    await conn.close()
    return ours, raw


def _write_share(url: str, first: int, count: int, ready: Any) -> tuple[float, float]:
    """In a process of its own, as an API worker stores its batches: upsert the articles from
    `first` once every writer has built its own (`ready`, a barrier); when it began and ended."""
    corpus = Corpus()
    articles = [corpus.article(i) for i in range(first, first + count)]

    async def write() -> tuple[float, float]:
        engine = make_engine(ApiSettings(MEDWIRE_DATABASE_URL=url))
        ready.wait()
        began = time.time()
        for at in range(0, count, BATCH):
            await upsert_articles(engine, articles[at : at + BATCH])
        ended = time.time()
        await engine.dispose()
        return began, ended

    return asyncio.run(write())


async def concurrent_ingest_rate(url: str, first: int, count: int, writers: int = 2) -> float:
    """Articles per second stored by `writers` processes at once, each with its own share of
    new articles (what `MEDWIRE_API_WORKERS` consumers do): from the first start to the last
    end. The articles are removed afterwards."""
    share = count // writers
    context = multiprocessing.get_context("spawn")  # no copy of this process's event loop
    with context.Manager() as manager, ProcessPoolExecutor(writers, mp_context=context) as pool:
        ready = manager.Barrier(writers)
        loop = asyncio.get_running_loop()
        spans = await asyncio.gather(
            *(
                loop.run_in_executor(pool, _write_share, url, first + k * share, share, ready)
                for k in range(writers)
            )
        )
    rate = writers * share / (max(end for _, end in spans) - min(began for began, _ in spans))
    conn = await asyncpg.connect(url)
    await conn.execute(
        "DELETE FROM articles WHERE article_id = ANY($1)",
        [f"bench{i:08d}" for i in range(first, first + writers * share)],
    )
    await conn.close()
    return rate


# --- queries -------------------------------------------------------------------------------

Query = tuple[str, dict[str, Any], str, list[Any]]  # HTTP path, params, SQL, SQL args


def page_sql(where: str) -> str:
    """A page of 21 articles by date, as the API reads one: chosen on keys, then the records."""
    return (
        f"SELECT a.record FROM (SELECT article_id FROM articles a WHERE {where} ORDER BY"
        " sort_date DESC, article_id DESC LIMIT 21) p JOIN articles a USING (article_id)"
        " ORDER BY a.sort_date DESC, a.article_id DESC"
    )


ORGANIZATIONS = (
    "SELECT organization_id FROM organizations WHERE name = $1 UNION SELECT organization_id"
    " FROM organization_aliases WHERE alias = $1"
)


def listing_sql(rows: str, condition: str) -> str:
    """A page by date of the articles of a place, as the API reads one: from the rows that name
    them, newest first (`routes.articles.place_listing`)."""
    return (
        "SELECT a.record FROM (SELECT DISTINCT m.article_id, m.sort_date FROM"
        f" (SELECT article_id, sort_date FROM {rows} WHERE {condition}"
        " ORDER BY sort_date DESC, article_id DESC) m JOIN articles a USING (article_id)"
        " ORDER BY m.sort_date DESC, m.article_id DESC LIMIT 21) p"
        " JOIN articles a USING (article_id) ORDER BY a.sort_date DESC, a.article_id DESC"
    )


# An organisation's articles: for each organisation the name names, its list to the page's end
# (LATERAL), the lists' pages merged (`routes.articles.organization_listing`).
ORGANIZATION_SQL = (
    "SELECT a.record FROM (SELECT DISTINCT x.article_id, x.sort_date FROM"
    f" ({ORGANIZATIONS}) o CROSS JOIN LATERAL (SELECT ao.article_id, ao.sort_date"
    " FROM article_organizations ao JOIN articles a ON a.article_id = ao.article_id"
    " WHERE ao.organization_id = o.organization_id"
    " ORDER BY ao.sort_date DESC, ao.article_id DESC LIMIT 21) x"
    " ORDER BY x.sort_date DESC, x.article_id DESC LIMIT 21) p"
    " JOIN articles a USING (article_id) ORDER BY a.sort_date DESC, a.article_id DESC"
)
FILTERED_SQL = {
    "organization": ORGANIZATION_SQL,
    "topic": page_sql("topics @> ARRAY[$1]"),
    "source": page_sql("(source_name = $1 OR source_domain = $1) AND published_at >= $2"),
    "adcode": listing_sql("article_locations", "left(adcode, 2) = $1"),
}


def queries(corpus: Corpus, total: int, n: int, seed: int) -> dict[str, list[Query]]:
    rng = random.Random(seed)
    by_id = "SELECT record FROM articles WHERE article_id = $1"
    out: dict[str, list[Query]] = {"article by id": [], "filtered list": [], "full-text search": []}
    for _ in range(n):
        aid = f"bench{rng.randrange(total):08d}"
        out["article by id"].append((f"/v1/articles/{aid}", {}, by_id, [aid]))
        kind = rng.choice(list(FILTERED_SQL))
        org = rng.choices(corpus.orgs, corpus.org_weights)[0]
        if kind == "organization":
            value = rng.choice([org.name, org.aliases[0]])
            params, args = {"organization": value}, [value]
        elif kind == "topic":
            value = rng.choice(TOPICS)
            params, args = {"topic": value}, [value]
        elif kind == "source":
            value, since = (
                rng.choice(SOURCES)[0],
                date(2026, 1, 1) - timedelta(days=rng.randrange(700)),
            )
            params, args = {"source": value, "published_from": since.isoformat()}, [value, since]
        else:
            place = rng.choices(corpus.places[:400], corpus.place_weights[:400])[0]
            code = (place.adcode or "110000")[:2] + "0000"
            params, args = {"adcode": code}, [code[:2]]
        sql = FILTERED_SQL[kind]
        out["filtered list"].append(("/v1/articles", params, sql, args))
        term = rng.choice(
            [org.name[-6:], rng.choice(CORES), rng.choice(TOPICS), rng.choice(corpus.persons[:2000]),
             f"{rng.choice(CORES)} {rng.choice(TOPICS)}"]
        )  # fmt: skip
        out["full-text search"].append(
            ("/v1/articles", {"q": term}, "", [])  # not measured (see the module's doc)
        )
    return out


async def run_clients(
    clients: int, work: list[Any], call: Callable[[Any], Awaitable[None]]
) -> list[float]:
    """Latencies (ms) of every call, in the order of `work`, `clients` at a time."""
    latencies = [0.0] * len(work)
    items = iter(enumerate(work))

    async def client() -> None:
        for at, item in items:
            start = time.perf_counter()
            await call(item)
            latencies[at] = (time.perf_counter() - start) * 1000

    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies


TICK = os.sysconf("SC_CLK_TCK")


class KeepAliveClient:
    """GET over a few kept-alive HTTP/1.1 connections, and no more: the load generator shares
    the machine's cores with the API and PostgreSQL, and httpx spent more CPU per request than
    the API did (3.0 ms against 1.9 for an article by id)."""

    def __init__(self, host: str, port: int, connections: int) -> None:
        self.host, self.port = host, port
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue()
        )
        self.connections = connections

    async def open(self) -> None:
        for _ in range(self.connections):
            self.idle.put_nowait(await asyncio.open_connection(self.host, self.port))

    async def close(self) -> None:
        while not self.idle.empty():
            self.idle.get_nowait()[1].close()

    async def get(self, path: str, params: dict[str, Any]) -> tuple[int, bytes]:
        """The status and body of GET `path`?`params` (the API always sends a length). A
        connection the server closed while idle (uvicorn keeps one 5 s) is opened again."""
        reader, writer = await self.idle.get()
        target = f"{path}?{urllib.parse.urlencode(params)}" if params else path
        request = f"GET {target} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode()
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            reader, writer = await asyncio.open_connection(self.host, self.port)
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.lower().split(b"\r\n")
            if line.startswith(b"content-length:")
        )
        body = await reader.readexactly(length)
        self.idle.put_nowait((reader, writer))
        return status, body


def kind_of(q: Query) -> str:
    """What a request filters on (its parameters' names), e.g. `organization` or `q`."""
    return "+".join(sorted(q[1])) or "id"


def machine_cpu_s() -> float:
    """CPU seconds the whole machine has been busy (all cores, every process), without the
    time the hypervisor gave other machines (see `stolen_s`)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = map(int, fields[:7])
    return (user + nice + system + irq + softirq) / TICK


def stolen_s() -> float:
    """CPU seconds this virtual machine was ready to run and the hypervisor ran another: how
    noisy the neighbours were during a measurement."""
    return int(Path("/proc/stat").read_text().split("\n", 1)[0].split()[8]) / TICK


def process_cpu_s(pid: int) -> float:
    """CPU seconds process `pid` and the processes it started (the API's workers) have used
    (user and system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return (int(fields[11]) + int(fields[12])) / TICK + sum(process_cpu_s(int(c)) for c in children)


async def measure(
    api_port: int,
    api_pid: int,
    url: str,
    work: dict[str, list[Query]],
    clients: int,
    rounds: int,
) -> dict[str, list[dict[str, Any]]]:
    """Latencies through the API and through asyncpg, and the CPU each API request cost the
    machine, the API process and this load generator (where the time goes on few cores), for
    each round: every kind of query once per round, so that a slow spell of this shared machine
    shows as rounds that disagree rather than as one kind's figure."""
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in work}
    # The API's read connections' settings (work_mem, no parallel plans, ...): the same queries.
    session = read_session(ApiSettings(MEDWIRE_DATABASE_URL=url))
    pool = await asyncpg.create_pool(
        url, min_size=clients, max_size=clients, server_settings=session
    )
    http = KeepAliveClient("127.0.0.1", api_port, clients)
    await http.open()
    try:
        for done in range(rounds):
            for name, items in work.items():
                results[name].append(
                    await _round(clients, items, http, pool, api_pid, warm=done == 0)
                )
                print(f"  {name}, round {done + 1}: {results[name][-1]}", flush=True)
    finally:
        await http.close()
    await pool.close()
    return results


async def _round(
    clients: int,
    items: list[Query],
    http: KeepAliveClient,
    pool: asyncpg.Pool,
    api_pid: int,
    warm: bool,
) -> dict[str, Any]:
    """One round of `items` through the API and through asyncpg (see `measure`)."""

    async def via_http(q: Query) -> None:
        status, body = await asyncio.wait_for(http.get(q[0], q[1]), 60)
        if status != 200:
            raise RuntimeError(f"{q[0]} {q[1]}: {status} {body[:300]!r}")

    async def via_asyncpg(q: Query) -> None:
        async with pool.acquire() as conn:
            await conn.fetch(q[2], *q[3])

    # Both are measured warm: every query runs once before (PostgreSQL's cache, which
    # the bench has just started, and the API's statements).
    if warm:
        await run_clients(clients, items, via_asyncpg)
        await run_clients(clients, items[: max(20, len(items) // 10)], via_http)
    before = machine_cpu_s(), process_cpu_s(api_pid), time.process_time(), stolen_s()
    api_ms = await run_clients(clients, items, via_http)
    after = machine_cpu_s(), process_cpu_s(api_pid), time.process_time(), stolen_s()
    raw_ms = await run_clients(clients, items, via_asyncpg)
    return {
        "api": {p: percentile(api_ms, p) for p in (50, 95, 99)},
        "asyncpg": {p: percentile(raw_ms, p) for p in (50, 95, 99)},
        "n": len(items),
        "mean": (statistics.mean(api_ms), statistics.mean(raw_ms)),
        # ms of CPU per request through the API: machine, API processes, load
        # generator, and stolen by the hypervisor
        "cpu": [(a - b) * 1000 / len(items) for a, b in zip(after, before, strict=True)],
        "p95 by kind": {
            kind: [
                percentile([ms[i] for i, q in enumerate(items) if kind_of(q) == kind], 95)
                for ms in (api_ms, raw_ms)
            ]
            for kind in sorted({kind_of(q) for q in items})
        },  # fmt: skip
    }


def start_api(url: str, port: int, log: Path, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MEDWIRE_DATABASE_URL": url,
        "MEDWIRE_API_PORT": str(port),
        "MEDWIRE_API_CONSUME": "false",
        "MEDWIRE_RATE_LIMIT": "0",
        "MEDWIRE_API_WORKERS": str(workers),
        "MEDWIRE_LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "medwire_api"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"the API did not start: {log.read_text()[-2000:]}")


TARGETS = {"article by id": (99, 10), "filtered list": (95, 50)}


def report(args: argparse.Namespace, loaded: tuple[int, float], ingest: tuple[float, float, float],
           results: dict[str, Any], sizes: dict[str, str]) -> str:  # fmt: skip
    lines = [
        "## api load",
        "",
        f"`python bench/api_load.py --articles {args.articles} --clients {args.clients} "
        f"--requests {args.requests} --rounds {args.rounds}` on this machine ({os.cpu_count()} cores), "
        f"{datetime.now(UTC):%Y-%m-%d}. The API ("
        + (
            "one uvicorn process"
            if args.api_workers == 1
            else f"{args.api_workers} uvicorn workers"
        )
        + ", `MEDWIRE_API_WORKERS`) and PostgreSQL on the same "
        f"machine as the load generator (shared_buffers {SHARED_BUFFERS}); the baseline is the "
        "same SQL through raw asyncpg "
        f"(a pool of {args.clients}, with the API's session settings), in the same run, at the same "
        f"concurrency; both after every query has run once; {args.rounds} rounds, each of every "
        "kind of query in turn (figures per round, in order: this machine has slow spells).",
        "",
        f"Database: {args.articles:,} synthetic enriched articles; {sizes['db']} in all "
        f"(articles table {sizes['articles']}).",
        "",
        "| query | percentile | API (ms) | raw asyncpg (ms) | target |",
        "|---|---|---|---|---|",
    ]
    for name, (p, target) in TARGETS.items():
        rounds = results[name]
        met = sum(r["api"][p] < target for r in rounds)
        ok = "met" if met == len(rounds) else f"**not met** ({met} of {len(rounds)} rounds)"
        api = ", ".join(f"{r['api'][p]:.1f}" for r in rounds)
        raw = ", ".join(f"{r['asyncpg'][p]:.1f}" for r in rounds)
        lines.append(f"| {name} | p{p} | {api} | {raw} | < {target} ms: {ok} |")
    lines += [
        "",
        "p50 / p95 / p99 (ms), API vs asyncpg, by round: "
        + "; ".join(
            f"{n}: "
            + ", ".join(
                f"{r['api'][50]:.1f}/{r['api'][95]:.1f}/{r['api'][99]:.1f} vs "
                f"{r['asyncpg'][50]:.1f}/{r['asyncpg'][95]:.1f}/{r['asyncpg'][99]:.1f}"
                for r in rounds
            )
            + f" ({rounds[0]['n']} requests a round)"
            for n, rounds in results.items()
        ),
        "",
        "p95 by what is asked (ms), API vs asyncpg, by round: "
        + "; ".join(
            f"{kind} "
            + ", ".join(
                f"{r['p95 by kind'][kind][0]:.1f} vs {r['p95 by kind'][kind][1]:.1f}"
                for r in results["filtered list"]
            )
            for kind in results["filtered list"][0]["p95 by kind"]
        )
        + ".",
        "",
        f"Ingest of new enriched articles (batches of {BATCH}, entities and LSH bands, into the "
        f"loaded database): **{ingest[0]:,.0f} articles/s** "
        f"({'met' if ingest[0] >= 5000 else '**not met**'}: ≥ 5,000); raw asyncpg COPY of the same "
        f"records into a bare table: {ingest[1]:,.0f} articles/s (ratio {ingest[0] / ingest[1]:.2f}). "
        f"Two writers at once (two processes, each storing its own batches, as the consumers of "
        f"`MEDWIRE_API_WORKERS=2` do): {ingest[2]:,.0f} articles/s together.",
    ]
    lines += [
        "",
        f"CPU per request through the API (ms; the machine's {os.cpu_count()} cores, of which "
        "the API's processes and this load generator; the rest is PostgreSQL and the system; "
        "and the CPU the hypervisor gave other machines meanwhile, which the figures do not "
        "include: how noisy the run was): "
        + "; ".join(
            f"{n}: "
            + ", ".join(
                f"{r['cpu'][0]:.1f} (API {r['cpu'][1]:.1f}, load generator {r['cpu'][2]:.1f}; "
                f"stolen {r['cpu'][3]:.2f})"
                for r in rounds
            )
            for n, rounds in results.items()
        )
        + f". With {args.clients} requests in flight on {os.cpu_count()} cores, a request waits "
        f"for about {args.clients} / {os.cpu_count()} × the machine CPU a request costs, once the "
        "cores are busy.",
    ]
    if loaded[0]:
        lines.append(
            f"Loading this run: {loaded[0]:,} articles in {loaded[1]:,.0f} s "
            f"({loaded[0] / loaded[1]:,.0f} articles/s as the table grew)."
        )
    return "\n".join(lines) + "\n"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=1500, help="by id and filtered lists")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of every kind of query")
    parser.add_argument(
        "--api-workers", type=int, default=1, help="API worker processes (MEDWIRE_API_WORKERS)"
    )
    parser.add_argument("--ingest", type=int, default=20_000, help="articles in the ingest sample")
    parser.add_argument("--keep", type=Path, help="keep (or reuse) the database in this directory")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    state = args.keep or Path(tempfile.mkdtemp(prefix="medwire-bench."))
    state.mkdir(parents=True, exist_ok=True)
    port = free_port()
    # PostgreSQL's cache at a size for a million articles; the machine has 24 GiB.
    infra(f"MEDWIRE_PG_SHARED_BUFFERS={SHARED_BUFFERS} pg_start {state} {port}")
    url = f"postgresql://medwire@127.0.0.1:{port}/medwire"
    api = None
    try:
        engine = make_engine(ApiSettings(MEDWIRE_DATABASE_URL=url))
        await migrate(engine)
        await engine.dispose()
        corpus = Corpus()
        print(f"loading up to {args.articles:,} articles", flush=True)
        loaded = await load(url, corpus, args.articles)
        conn = await asyncpg.connect(url)
        await conn.execute("VACUUM ANALYZE")
        print("measuring ingest", flush=True)
        ours, raw = await ingest_rates(url, corpus, args.articles + 10_000_000, args.ingest)
        together = await concurrent_ingest_rate(url, args.articles + 20_000_000, args.ingest)
        ingest = (ours, raw, together)
        # The ingest sample's rows, written and deleted, are cleaned and flushed now: otherwise
        # autovacuum and a checkpoint (640 MB written over 77 s) ran during the measurements.
        await conn.execute("VACUUM ANALYZE")
        await conn.execute("CHECKPOINT")
        sizes = {
            "db": await conn.fetchval("SELECT pg_size_pretty(pg_database_size('medwire'))"),
            "articles": await conn.fetchval("SELECT pg_size_pretty(pg_total_relation_size('articles'))"),
        }  # fmt: skip
        await conn.close()
        api_port = free_port()
        api = start_api(url, api_port, state / "api.log", args.api_workers)
        work = queries(corpus, args.articles, args.requests, seed=1)
        del work["full-text search"]  # see the module's doc
        print("measuring queries", flush=True)
        results = await measure(api_port, api.pid, url, work, args.clients, args.rounds)
        section = report(args, loaded, ingest, results, sizes)
        write_section(args.out, "api load", section)
        print(section)
        (state / "api_load.json").write_text(json.dumps(results, indent=1, default=str))
    finally:
        if api is not None:
            api.terminate()
            api.wait(timeout=20)
        infra(f"pg_stop {state}")
        if not args.keep:
            subprocess.run(["rm", "-rf", str(state)], check=False)


if __name__ == "__main__":
    asyncio.run(main())
