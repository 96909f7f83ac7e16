"""A local news site of N article pages for the chaos suite, generated from the page number
alone (the same N gives the same site every run): each page is a distinct Chinese pharma news
article that the cleaner reads as exactly one article, listed in one sitemap.

`python -m tests.chaos.site --pages 3000 --port 8766 --delay-s 0.1` serves it; the delay holds
every article response (a site that answers in 100 ms), so that a crawl lasts long enough for
faults to land in it. Pages carry an ETag and answer If-None-Match with 304."""

from __future__ import annotations

import argparse
import hashlib
import random
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from medwire_common.ids import article_id, canonical_url

CITIES = [
    ("济南", "山东省"), ("太原", "山西省"), ("杭州", "浙江省"), ("南京", "江苏省"),
    ("成都", "四川省"), ("广州", "广东省"), ("武汉", "湖北省"), ("西安", "陕西省"),
    ("长沙", "湖南省"), ("郑州", "河南省"), ("合肥", "安徽省"), ("石家庄", "河北省"),
]  # fmt: skip
COMPANIES = [
    "鲁南康健制药有限公司", "晋中博源生物医药有限公司", "钱塘华信医疗器械有限公司",
    "金陵安和药业股份有限公司", "蜀中本草中药饮片有限公司", "岭南瑞康生物科技有限公司",
    "江城启明医学检验有限公司", "秦川德济制药有限公司", "湘江维康医疗科技有限公司",
    "中原仁和药业集团有限公司", "庐州恒安生物制品有限公司", "燕赵康宁医药有限公司",
]  # fmt: skip
PRODUCTS = [
    "注射用紫杉醇脂质体", "阿托伐他汀钙片", "一次性使用无菌注射器", "新型冠状病毒抗原检测试剂盒",
    "人工晶状体", "盐酸二甲双胍缓释片", "医用防护口罩", "重组人胰岛素注射液",
    "骨科植入钢板", "中药配方颗粒", "血液透析浓缩液", "布地奈德混悬液",
]  # fmt: skip
EVENTS = [
    ("获批上市", "国家药品监督管理局近日批准{company}的{product}上市申请，该产品将用于临床治疗。"),
    ("通过一致性评价", "{company}的{product}日前通过仿制药质量和疗效一致性评价，成为本省首家过评企业。"),
    ("签约合作项目", "{company}与当地三家医疗机构签署{product}研发与生产合作协议，共建联合实验室。"),
    ("新建生产线投产", "{company}投资建设的{product}智能化生产线正式投产，设计年产能大幅提升。"),
    ("中选国家集采", "{company}的{product}在第十批国家组织药品集中带量采购中中选，惠及全国患者。"),
    ("接受飞行检查", "省药品监督管理局对{company}的{product}生产质量管理情况开展飞行检查，未发现严重缺陷。"),
]  # fmt: skip
OFFICIALS = ["王润峰", "张根生", "高咏梅", "李明远", "赵志强", "陈晓雯", "刘建国", "孙丽华"]
FIRST_DAY = date(2025, 1, 1)


def article_path(i: int) -> str:
    day = FIRST_DAY + timedelta(days=i % 300)
    return f"/news/{day:%Y/%m%d}/{i:05d}.html"


def expected_article_ids(base: str, pages: int) -> dict[str, str]:
    """Each page's article id, as the cleaner gives it (the first and only article of the page
    at its canonical URL), keyed to the page's URL."""
    return {
        article_id(canonical_url(base + article_path(i)), 0): base + article_path(i)
        for i in range(pages)
    }


def article_html(i: int) -> bytes:
    """Page i: a news article with the chrome of a provincial portal around it."""
    pick = random.Random(i)
    city, province = CITIES[i % len(CITIES)]
    company = pick.choice(COMPANIES)
    product = pick.choice(PRODUCTS)
    event, lead = pick.choice(EVENTS)
    official = pick.choice(OFFICIALS)
    day = FIRST_DAY + timedelta(days=i % 300)
    amount = 1 + (i * 37) % 480 / 10
    jobs = 40 + (i * 13) % 900
    title = f"{city}{company[:4]}{product}{event}（项目编号 MW{i:05d}）"
    paragraphs = [
        f"{day.month}月{day.day}日，记者从{city}市市场监督管理局获悉，"
        + lead.format(company=company, product=product),
        f"据介绍，该项目总投资{amount:.1f}亿元，预计新增就业岗位{jobs}个，项目编号为MW{i:05d}。"
        f"{company}相关负责人表示，企业将继续加大研发投入，提升{product}的质量控制水平，"
        "按照药品生产质量管理规范组织生产，确保产品安全有效、质量可控。",
        f"{city}市卫生健康委员会副主任{official}表示，近年来{province}持续推进医药产业高质量发展，"
        "强化政策引导，深化产学研医协同，构建覆盖研发、生产、流通和临床使用的现代医药产业体系，"
        f"{city}将为企业提供更优质的发展环境。",
        f"业内人士认为，随着审评审批制度改革不断深化，{province}生物医药企业的创新能力和市场竞争力"
        f"将进一步增强，{product}等重点产品有望在更大范围内惠及患者。"
        f"（记者 {pick.choice(OFFICIALS)[0]}{pick.choice('晓明华丽强军芳')}）",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{title}_医药资讯_{province}医药信息网</title></head><body>"
        '<div class="topnav"><a href="/">首页</a> <a href="/news/">医药资讯</a> <span>正文</span></div>'
        f'<div class="main"><div class="article"><h1>{title}</h1>'
        f'<div class="info"><span class="time">发布时间:{day:%Y-%m-%d} 09:{i % 60:02d}</span>'
        f' <span class="source">来源:{city}日报</span></div>'
        f'<div class="content">{body}</div>'
        '<div class="share">分享到: 微信 微博 QQ空间</div></div>'
        '<div class="related"><h3>相关推荐</h3><ul>'
        f'<li><a href="{article_path((i + 1) % 100000)}">更多{province}医药资讯</a></li></ul></div>'
        f'</div><div class="footer">Copyright © {province}医药信息网 版权所有</div></body></html>'
    ).encode()


def sitemap_xml(base: str, pages: int) -> bytes:
    urls = "".join(f"<url><loc>{base}{article_path(i)}</loc></url>" for i in range(pages))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


def page_number(path: str) -> int | None:
    """i for article_path(i), None for any other path."""
    name = path.rsplit("/", 1)[-1]
    if not (path.startswith("/news/") and name.endswith(".html") and name[:-5].isdigit()):
        return None
    i = int(name[:-5])
    return i if article_path(i) == path else None


class SiteHandler(BaseHTTPRequestHandler):
    server_version = "chaos-site/1.0"
    pages: int = 0
    delay_s: float = 0.0

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0]
        base = f"http://{self.headers.get('Host', '127.0.0.1')}"
        i = page_number(path)
        if path == "/sitemap.xml":
            self._send(200, sitemap_xml(base, self.pages), "application/xml; charset=utf-8")
        elif path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain; charset=utf-8")
        elif i is not None and i < self.pages:
            time.sleep(self.delay_s)
            body = article_html(i)
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if etag in (self.headers.get("If-None-Match") or ""):
                self._send(304, b"", "text/html; charset=utf-8", etag)
            else:
                self._send(200, body, "text/html; charset=utf-8", etag)
        else:
            self._send(404, "<h1>404 页面不存在</h1>".encode(), "text/html; charset=utf-8")

    def _send(self, status: int, body: bytes, ctype: str, etag: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if etag:
            self.send_header("ETag", etag)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay-s", type=float, default=0.0)
    args = parser.parse_args()
    handler = type("Handler", (SiteHandler,), {"pages": args.pages, "delay_s": args.delay_s})
    ThreadingHTTPServer(("127.0.0.1", args.port), handler).serve_forever()


if __name__ == "__main__":
    main()
