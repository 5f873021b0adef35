"""Search bench: Dossier's Whoosh engine against SQLite FTS5 and tantivy-py on synthetic pages.

    .venv/bin/python bench/search.py --pages 5000            # quick
    .venv/bin/python bench/search.py                         # the issue's target: 100,000 pages
    .venv/bin/python bench/search.py --pages 20000 --json    # one JSON object on stdout

What it does, for N pages (default 100,000 pages of ~1,500 characters, N/5 documents of 5 pages,
N/20 households; one document in five is in Traditional script, one in seven confidential):

1. Generates the pages' ground truth, deterministic by ``--seed``, from property-management
   sentence templates filled with a vocabulary of terms, names, communities, addresses,
   companies, amounts, phone and plate numbers, room numbers and dates.
2. Simulates OCR on each page (see :func:`ocr_noise`): the *indexed* text and the catalog's page
   text are the noisy text; queries are written from the ground truth.
3. Builds the same pages into (a) Dossier's engine (``search.whoosh_engine.WhooshEngine.build``,
   the code the service runs), (b) SQLite FTS5 with the trigram tokenizer and (c) tantivy-py fed
   the tokens of ``search.analysis.tokenize`` (same bigrams, unigrams and positions as ours).
4. Times a query mix through each engine the way ``search.service.search_documents`` does it:
   parse the clerk's query (``search.query.parse``), compile to an ``EngineQuery``, search with
   facets (type / building / year, counted per document) and the best page per document, fetch the
   20 hits' page text from a catalog (a SQLite table, like the service's ``pages`` table) and
   highlight it with ``search.highlight.snippet``. Latency is the whole of that, as wall time and as
   the CPU time of the process (on a shared machine the wall time also counts the waits for a core).
5. Recall@10 on queries cut from the ground truth of random pages (one phrase of 8-12
   characters, or two of 4-6; see :func:`recall_queries`): relevant documents are those with a page whose ground truth holds
   every part; recall@10 = |top 10 ∩ relevant| / min(|relevant|, 10), averaged.

Engines not installed (tantivy) are skipped. Another process's load skews every figure.
"""

from __future__ import annotations

import sys
from pathlib import Path as _Path

# Run as a script, this file's folder comes first on sys.path and its name would shadow the
# ``search`` package: look in the repository root instead.
_here = str(_Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if p and _Path(p).resolve() != _Path(_here)]
sys.path.insert(0, str(_Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402
import gc
import json
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from search import analysis, highlight
from search.engine import DateIn, EngineHit, EngineQuery, EngineResult, FieldIn, PageEntry
from search.matching import keyword
from search.matching import tolerable as _tolerable
from search.query import Any_, Filter, Text, date_range, parse
from search.whoosh_engine import INDEX_FORMAT, TOLERANT_BELOW, WhooshEngine

# ---------------------------------------------------------------------------------------------
# Synthetic page text
# ---------------------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红梅晓东志海燕婷玉鹏飞春凤亮文宇浩然欣怡子涵佳琪思远德福荣"
CITIES = ("上海市", "北京市", "深圳市", "广州市", "杭州市", "南京市", "成都市", "武汉市", "苏州市", "天津市")
DISTRICTS = (
    "浦东新区",
    "徐汇区",
    "朝阳区",
    "海淀区",
    "福田区",
    "南山区",
    "天河区",
    "西湖区",
    "鼓楼区",
    "武侯区",
    "江汉区",
    "滨海新区",
    "姑苏区",
    "闵行区",
)
ROADS = "人民 中山 解放 建设 南京 长江 黄河 文化 青年 学府 滨河 锦江 东风 胜利 光明 科技 创业 迎宾 花园 新华".split()
COMMUNITY_A = "阳光 翠湖 金色 滨江 锦绣 紫荆 御景 绿地 东方 和平 幸福 春晖 香樟 银杏 碧桂 龙湖 华润 万科 保利 中海".split()
COMMUNITY_B = "花园 苑 家园 名邸 华庭 公寓 湾 新城 小区 雅居".split()
BRANDS = "安居 恒信 宏达 鑫源 华美 顺通 永安 佳和 德润 金盾 瑞丰 广厦 嘉禾 天成 兴业".split()
KINDS = (
    "物业服务",
    "装饰工程",
    "建筑安装",
    "电梯维保",
    "消防工程",
    "保洁服务",
    "园林绿化",
    "房地产经纪",
    "智能科技",
)
PLATE_PROV = "沪京粤浙苏川鄂津渝湘皖鲁豫闽"
TERMS = (
    "物业服务费 维修基金 专项维修资金 装修押金 装修保证金 水电表 燃气表 电梯 消防设施 公共区域 绿化 保洁 安保 "
    "门禁卡 车位 停车费 地下车库 业主大会 业主委员会 物业管理处 客服中心 工程部 秩序维护部 不动产权证书 "
    "租赁合同 前期物业服务合同 临时管理规约 装修管理规定 入住登记表 钥匙领用 交房验收 房屋质量保修 防水工程 "
    "外墙渗漏 管道堵塞 报修单 整改通知 违章搭建 噪音扰民 宠物管理 垃圾分类 高空抛物 滞纳金 催缴通知 缴费通知单 "
    "收据 发票 银行转账 退款 押金退还 施工单位 承重结构 吊顶 电路改造 空调外机 防盗门 阳台 卫生间 厨房 楼道 "
    "单元门 对讲系统 监控录像 巡逻记录 紧急联络人 身份证件 户口簿 委托书 授权书 过户 变更登记 产权人 共有人 "
    "承租人 出租人 租金 续租 退租 水费 电费 燃气费 供暖费 宽带 公共能耗分摊 建筑面积 套内面积 公摊面积"
).split()
ISSUES = (
    "卫生间漏水",
    "厨房下水管道堵塞",
    "外墙渗水",
    "楼上噪音扰民",
    "电梯故障停运",
    "单元门禁失灵",
    "楼道照明损坏",
    "车位被占用",
    "阳台防水层破损",
    "空调外机滴水",
    "天花板开裂",
    "热水器燃气泄漏报警",
    "窗户玻璃破裂",
    "地漏返味",
    "化粪池外溢",
    "宠物犬吠扰民",
    "违规搭建阳光房",
    "高空抛物",
    "垃圾未按时清运",
    "监控摄像头损坏",
)
ACTIONS = (
    "更换密封圈并做闭水试验",
    "疏通管道并清理淤积",
    "重新铺设防水层",
    "通知业主限期整改",
    "联系电梯维保单位检修",
    "更换门禁读卡器",
    "拆除违建并恢复原状",
    "加装防护网",
    "张贴告示提醒全体业主",
    "调取监控录像核查",
)
OFFICES = ("物业管理处", "客服中心", "工程部", "财务室", "秩序维护部", "业主委员会办公室")
RULES = (
    "装修管理规定",
    "临时管理规约",
    "前期物业服务合同",
    "停车管理办法",
    "宠物饲养管理规定",
    "消防安全管理制度",
)
FEES = ("物业服务费", "车位管理费", "公共水电分摊费", "装修垃圾清运费", "供暖费", "维修基金")
PARTS = ("卫生间", "厨房", "客厅", "主卧", "次卧", "阳台", "书房", "储藏室")
TEMPLATES = (
    "业主{name}于{date}到{office}办理{term}手续，经办人{name2}，联系电话{phone}。",
    "{community}{house}室业主{name}反映{issue}，{office}已于{date}派员到场处理，{action}。",
    "本期应缴{fee}人民币{amount}元，请于{date}前缴纳，逾期按日加收万分之五滞纳金。",
    "车辆{plate}登记于{community}地下车库{slot}号车位，车主{name}，联系电话{phone}，有效期至{date}。",
    "施工单位{company}负责人{name}承诺遵守《{rule}》，不改变房屋承重结构，不占用公共通道。",
    "经现场查验，{house}室{part}存在{issue}，建议{action}，费用由责任方承担。",
    "房屋坐落于{address}{community}{house}室，建筑面积{area}平方米，套内面积{area2}平方米。",
    "甲方{name}与乙方{company}于{date}签订{term}，合同编号{code}，期限{years}年。",
    "{date}收到业主{name}缴纳的{fee}{amount}元，收据号码{receipt}，开票人{name2}。",
    "{name}持{term}及身份证件原件申请{term2}，经核验无误，同意办理。",
    "根据《{rule}》第{n}条，{house}室{issue}，请于{date}前完成整改，逾期将报有关部门处理。",
    "紧急联络人{name}，与业主关系为{relation}，电话{phone}，住址{address}。",
    "水表读数{meter}吨，电表读数{meter2}度，燃气表读数{meter3}立方米，抄表人{name}，抄表日期{date}。",
    "业主委员会于{date}召开会议，讨论{term}事项，出席委员{n}人，{name}主持，{name2}记录。",
    "{company}承接本小区{term}项目，合同金额人民币{amount}元，质保期{years}年。",
    "巡查发现{community}{building}栋{issue}，已通知{office}，{action}。",
)
RELATIONS = ("配偶", "父子", "母女", "兄弟", "姐妹", "朋友", "同事", "租户")
DOC_TYPES = (
    ("repair", "报修单"),
    ("payment", "缴费收据"),
    ("renovation", "装修申请表"),
    ("contract", "物业服务合同"),
    ("complaint", "投诉处理记录"),
    ("move-in", "入住登记表"),
    ("parking", "车位租赁协议"),
    ("notice", "整改通知书"),
    ("lease", "房屋租赁备案"),
    ("transfer", "产权变更登记"),
)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _date(rng: random.Random) -> str:
    return f"{rng.randint(2008, 2024)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"


def _plate(rng: random.Random) -> str:
    tail = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(5))
    return f"{rng.choice(PLATE_PROV)}{rng.choice('ABCDEFGH')}{tail}"


def _company(rng: random.Random) -> str:
    return f"{rng.choice(CITIES)[:-1]}{rng.choice(BRANDS)}{rng.choice(KINDS)}有限公司"


def _community(rng: random.Random) -> str:
    return rng.choice(COMMUNITY_A) + rng.choice(COMMUNITY_B)


def _fill(rng: random.Random, template: str, ctx: dict) -> str:
    r = rng
    values = {
        "name": ctx["owner"] if r.random() < 0.4 else _name(r),
        "name2": _name(r),
        "date": _date(r),
        "office": r.choice(OFFICES),
        "term": r.choice(TERMS),
        "term2": r.choice(TERMS),
        "phone": f"1{r.choice('3456789')}{r.randint(0, 9)} {r.randint(0, 9999):04d} {r.randint(0, 9999):04d}",
        "community": ctx["community"],
        "house": ctx["house"]
        if r.random() < 0.6
        else f"{r.randint(1, 30)}栋{r.randint(1, 6)}单元{r.randint(1, 33)}{r.randint(1, 4):02d}",
        "issue": r.choice(ISSUES),
        "action": r.choice(ACTIONS),
        "fee": r.choice(FEES),
        "amount": f"{r.randint(50, 200000)}.{r.randint(0, 99):02d}",
        "plate": ctx["plate"] if r.random() < 0.5 else _plate(r),
        "slot": f"B{r.randint(1, 3)}-{r.randint(1, 999):03d}",
        "company": _company(r),
        "rule": r.choice(RULES),
        "part": r.choice(PARTS),
        "address": f"{r.choice(CITIES)}{r.choice(DISTRICTS)}{r.choice(ROADS)}路{r.randint(1, 999)}号",
        "area": f"{r.randint(40, 260)}.{r.randint(0, 9)}",
        "area2": f"{r.randint(30, 200)}.{r.randint(0, 9)}",
        "code": f"{r.choice(['WY', 'ZX', 'CW', 'ZL', 'BX'])}-{r.randint(2008, 2024)}-{r.randint(1, 9999):04d}",
        "years": r.randint(1, 10),
        "receipt": f"No.{r.randint(20080101, 20241231)}-{r.randint(1, 999):03d}",
        "n": r.randint(2, 40),
        "relation": r.choice(RELATIONS),
        "meter": r.randint(10, 9999),
        "meter2": r.randint(100, 99999),
        "meter3": r.randint(10, 9999),
        "building": r.randint(1, 30),
    }
    return template.format(**values)


def page_truth(seed: int, doc: int, page: int, ctx: dict, chars: int) -> str:
    """The ground truth of one page: a title line on page 1, then sentences until ``chars``."""
    rng = random.Random(seed * 1_000_003 + doc * 64 + page)
    out: list[str] = []
    n = 0
    if page == 1:
        head = f"{ctx['title']}\n档案编号：{ctx['archive']}　房号：{ctx['household']}　业主：{ctx['owner']}\n"
        out.append(head)
        n += len(head)
    line = 0
    while n < chars:
        s = _fill(rng, rng.choice(TEMPLATES), ctx)
        out.append(s)
        n += len(s)
        line += len(s)
        if line > 120 and rng.random() < 0.5:
            out.append("\n")
            line = 0
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# OCR noise model
# ---------------------------------------------------------------------------------------------

# Visually confusable characters (each group: characters tesseract's chi_sim/chi_tra models
# misread as one another), plus Latin/digit confusions. A substitution picks a partner from the
# character's group when it has one, else a random character of the page's alphabet.
CONFUSABLE_GROUPS = (
    "己已巳",
    "未末",
    "士土",
    "日曰目",
    "人入八",
    "大太犬",
    "王玉主",
    "天夫",
    "千干于",
    "刀力",
    "田由甲申",
    "木本术",
    "白自百",
    "办为",
    "贝见",
    "休体",
    "析折",
    "候侯",
    "管菅",
    "维锥",
    "修侈",
    "金全",
    "基墓",
    "纳呐",
    "业亚",
    "户尸",
    "元无",
    "号弓",
    "室窒",
    "楼搂",
    "住往",
    "租祖",
    "电由",
    "水永",
    "表衣",
    "编遍",
    "期斯",
    "月用",
    "年午",
    "合台",
    "签答",
    "字宇",
    "理埋",
    "务各",
    "费赞",
    "缴激",
    "物牧",
    "服报",
    "区匹",
    "单箪",
    "车东",
    "位住",
    "押抻",
    "收牧",
    "据剧",
    "申甲",
    "请清情",
    "办力",
    "处外",
    "工土",
    "部郁",
    "门闩",
    "厅斤",
    "议仪",
    "记纪",
    "经轻",
    "责贵",
    "任仕",
    "承乘",
    "重垂",
    "通涌",
    "知和",
    "限陨",
    "逾愈",
    "滞带",
    "话活",
    "联朕",
    "设没",
    "施拖",
    "检捡",
    "验险",
    "换挽",
    "卫刀",
    "生牛",
    "间问",
    "防妨",
    "层屋",
    "破被",
    "损陨",
    "场扬",
    "查杳",
    "现观",
    "到倒",
    "派泒",
    "员贞",
    "已巳",
    "0OD",
    "1lI",
    "5S",
    "8B",
    "2Z",
    "6G",
    "：:",
    "，,",
    "。o",
)
_CONFUSE: dict[str, str] = {}
for _g in CONFUSABLE_GROUPS:
    for _c in _g:
        _CONFUSE.setdefault(_c, "")
        _CONFUSE[_c] += "".join(x for x in _g if x != _c and x not in _CONFUSE[_c])
_RANDOM_POOL = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"


@dataclass(frozen=True)
class NoiseModel:
    """Per-character OCR errors at a page error rate drawn uniformly in [cer_lo, cer_hi]:
    70% substitutions (confusable partner when one is listed, else a random common character),
    20% deletions, 10% insertions (a stray stroke read as 丶, 一, 丨, a dot or a duplicated
    character). Whitespace is never touched."""

    cer_lo: float = 0.01
    cer_hi: float = 0.03
    sub: float = 0.70
    dele: float = 0.20


def ocr_noise(text: str, rng: random.Random, model: NoiseModel = NoiseModel()) -> str:
    rate = rng.uniform(model.cer_lo, model.cer_hi)
    if rate <= 0:
        return text
    out: list[str] = []
    rnd = rng.random
    for ch in text:
        if ch.isspace() or rnd() >= rate:
            out.append(ch)
            continue
        r = rnd()
        if r < model.sub:
            partners = _CONFUSE.get(ch)
            if partners:
                out.append(rng.choice(partners))
            else:
                out.append(rng.choice(_RANDOM_POOL))
        elif r < model.sub + model.dele:
            continue
        else:
            out.append(ch)
            out.append(rng.choice("丶一丨.·" + ch))
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------


@dataclass
class Corpus:
    entries: list[PageEntry]  # OCR'd text, what engines and the catalog hold
    truth_folded: list[str]  # folded ground truth, for relevance
    truth: list[str]
    plates: list[str]
    owners: list[str]
    households: list[str]


def make_corpus(
    pages: int, chars: int, seed: int, pages_per_doc: int = 5, docs_per_household: int = 4
) -> Corpus:
    import opencc

    s2t = opencc.OpenCC("s2t")
    rng = random.Random(seed)
    n_docs = max(1, -(-pages // pages_per_doc))
    n_households = max(1, n_docs // docs_per_household)
    households = []
    for _ in range(n_households):
        households.append(
            {
                "code": f"{rng.choice('ABCDEFGH')}-{rng.randint(1, 30)}-{rng.randint(1, 33)}{rng.randint(1, 4):02d}",
                "community": _community(rng),
                "owner": _name(rng),
                "tenant": _name(rng) if rng.random() < 0.3 else "",
                "plate": _plate(rng),
            }
        )
    entries, truths, folded = [], [], []
    plates, owners = [], []
    for d in range(n_docs):
        doc = d + 1
        h = households[rng.randrange(n_households)]
        code, tname = DOC_TYPES[rng.randrange(len(DOC_TYPES))]
        traditional = rng.random() < 0.2
        ctx = {
            "owner": h["owner"],
            "community": h["community"],
            "household": h["code"],
            "plate": h["plate"],
            "house": h["code"].split("-", 1)[1].replace("-", "栋") + "室"[:0],
            "title": tname,
            "archive": f"DA-{rng.randint(2008, 2024)}-{doc:06d}",
        }
        ddate = (
            date(rng.randint(2008, 2024), rng.randint(1, 12), rng.randint(1, 28))
            if rng.random() < 0.95
            else None
        )
        confidential = rng.random() < 1 / 7
        plates.append(h["plate"])
        owners.append(h["owner"])
        for p in range(1, pages_per_doc + 1):
            if len(entries) >= pages:
                break
            t = page_truth(seed, doc, p, ctx, chars)
            if traditional:
                t = s2t.convert(t)
            noisy = ocr_noise(t, random.Random(seed * 7_919 + doc * 64 + p))
            entries.append(
                PageEntry(
                    doc,
                    p,
                    h["code"],
                    h["community"],
                    h["code"].split("-")[0],
                    f"{h['owner']} {h['tenant']}".strip(),
                    code,
                    s2t.convert(tname) if traditional else tname,
                    ddate,
                    confidential,
                    "indexed",
                    noisy,
                )
            )
            truths.append(t)
            folded.append(analysis.fold(t))
    return Corpus(entries, folded, truths, plates, owners, [h["code"] for h in households])


# ---------------------------------------------------------------------------------------------
# Catalog (page text for highlights, as the service reads it)
# ---------------------------------------------------------------------------------------------


class Catalog:
    def __init__(self, path: Path, entries: list[PageEntry]):
        if path.exists():
            path.unlink()
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute(
            "CREATE TABLE pages (document INTEGER, number INTEGER, text TEXT, PRIMARY KEY (document, number)) WITHOUT ROWID"
        )
        with self.db:
            self.db.executemany(
                "INSERT INTO pages VALUES (?,?,?)", ((e.document, e.page, e.text) for e in entries)
            )

    def texts(self, hits: list[EngineHit]) -> dict[tuple[int, int], str]:
        if not hits:
            return {}
        # The same form as search.service (an OR of (document, number) pairs): SQLite answers it
        # from the key; a row-value IN (VALUES ...) scanned the whole table (40 ms at 100,000 pages).
        where = " OR ".join("(document = ? AND number = ?)" for _ in hits)
        args = [x for h in hits for x in (h.document, h.page)]
        rows = self.db.execute(f"SELECT document, number, text FROM pages WHERE {where}", args)
        return {(d, n): t for d, n, t in rows}


# ---------------------------------------------------------------------------------------------
# Baseline engines (same EngineQuery in, same EngineResult out)
# ---------------------------------------------------------------------------------------------


def _flatten_texts(parts) -> list[Text]:
    out = []
    for p in parts:
        if isinstance(p, Text):
            out.append(p)
    return out


class Fts5Engine:
    """SQLite FTS5, trigram tokenizer, text folded before insert (so Traditional/Simplified match).
    Words under 3 characters cannot use a trigram index: they are LIKE scans (FTS5's own
    behaviour). Filters are SQL on UNINDEXED columns; facets/grouping in Python over all matches."""

    COLS = (
        "title, names, text, doc UNINDEXED, page UNINDEXED, household UNINDEXED, community UNINDEXED, "
        "building UNINDEXED, type UNINDEXED, date UNINDEXED, confidential UNINDEXED"
    )

    def __init__(self, path: Path):
        self.path = path
        self.db = sqlite3.connect(path, check_same_thread=False)

    def build(self, entries) -> None:
        self.db.execute(f"CREATE VIRTUAL TABLE fts USING fts5({self.COLS}, tokenize='trigram')")
        f = analysis.fold
        with self.db:
            self.db.executemany(
                "INSERT INTO fts VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    (
                        f(e.title),
                        f(e.names),
                        f(e.text),
                        e.document,
                        e.page,
                        keyword(e.household),
                        keyword(e.community),
                        keyword(e.building) or "-",
                        e.type,
                        (e.date.year * 10000 + e.date.month * 100 + e.date.day) if e.date else 0,
                        int(e.confidential),
                    )
                    for e in entries
                ),
            )
        self.db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        self.db.commit()

    def size(self) -> int:
        return os.path.getsize(self.path)

    def _text_sql(self, t: Text, args: list):
        chars = "".join(c for c in analysis.fold(t.value) if not c.isspace())
        if len(chars) >= 3:
            args.append('"' + chars.replace('"', '""') + '"')
            return "fts MATCH ?"
        like = "%" + chars + "%"
        args.extend([like, like, like])
        return "(text LIKE ? OR title LIKE ? OR names LIKE ?)"

    def _part_sql(self, part, args: list) -> str:
        if isinstance(part, Text):
            return self._text_sql(part, args)
        if isinstance(part, FieldIn):
            vals = [keyword(v) if part.field != "type" else v for v in part.values]
            args.extend(vals)
            return f"{part.field} IN ({','.join('?' for _ in vals)})"
        if isinstance(part, DateIn):
            lo = part.start.year * 10000 + part.start.month * 100 + part.start.day if part.start else 1
            hi = part.end.year * 10000 + part.end.month * 100 + part.end.day if part.end else 99999999
            args.extend([lo, hi])
            return "date BETWEEN ? AND ?"
        if isinstance(part, Any_):
            return "(" + " OR ".join(self._part_sql(p, args) for p in part.parts) + ")"
        raise TypeError(part)

    def search(self, q: EngineQuery) -> EngineResult:
        args: list = []
        where = []
        # FTS5 allows one MATCH per table scan: fold all MATCH strings into one expression.
        matches = []
        for p in q.must:
            if isinstance(p, Text) and len("".join(analysis.fold(p.value).split())) >= 3:
                matches.append('"' + "".join(analysis.fold(p.value).split()).replace('"', '""') + '"')
            else:
                where.append(self._part_sql(p, args))
        for p in q.must_not:
            where.append("NOT " + self._part_sql(p, args))
        if matches:
            where.insert(0, "fts MATCH ?")
            args.insert(0, " AND ".join(matches))
        if q.hide_confidential:
            where.append("confidential = 0")
        order = "ORDER BY rank" if matches else ""
        sql = f"SELECT doc, page, type, building, date, {'rank' if matches else '0'} FROM fts WHERE {' AND '.join(where) or '1'} {order}"
        best: dict[int, tuple] = {}
        pages = 0
        for doc, page, typ, building, dv, rank in self.db.execute(sql, args):
            pages += 1
            if doc not in best:
                best[doc] = (-rank, page, typ, building, dv)
        facets = {"type": {}, "building": {}, "year": {}}
        for _doc, (_, _, typ, building, dv) in best.items():
            facets["type"][typ] = facets["type"].get(typ, 0) + 1
            if building and building != "-":
                facets["building"][building] = facets["building"].get(building, 0) + 1
            if dv:
                y = str(dv // 10000)
                facets["year"][y] = facets["year"].get(y, 0) + 1
        order_docs = list(best)
        hits = [EngineHit(d, best[d][1], best[d][0]) for d in order_docs[q.offset : q.offset + q.limit]]
        return EngineResult(len(best), pages, hits, facets)


class TantivyEngine:
    """tantivy-py fed Dossier's own tokens (``analysis.tokenize``: bigrams + unigrams + words,
    same positions), so phrases of bigrams mean what they mean in Whoosh. Same compilation as
    search.whoosh_engine: a word is a phrase of bigrams over text/title/names; OCR tolerance (any
    one character misread, as phrase pieces at explicit offsets) only when the exact query finds
    fewer than TOLERANT_BELOW documents. Confidential pages are a must-not clause; facets are
    aggregations counted per document (cardinality of ``doc``)."""

    BOOST = {"text": 1.0, "title": 1.5, "names": 1.2}

    def __init__(self, path: Path, threads: int = 1):
        import tantivy

        self.t = tantivy
        sb = tantivy.SchemaBuilder()
        for f in ("title", "names", "text"):
            sb.add_text_field(f, stored=False, tokenizer_name="raw", index_option="position")
        sb.add_unsigned_field("doc", indexed=True, fast=True)
        sb.add_unsigned_field("page", fast=True)
        for f in ("household", "community", "building", "type"):
            sb.add_text_field(f, stored=False, tokenizer_name="raw", fast=True)
        sb.add_unsigned_field("date", indexed=True, fast=True)
        sb.add_unsigned_field("confidential", indexed=True, fast=True)
        self.schema = sb.build()
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.index = tantivy.Index(self.schema, path=str(path))
        self.threads = threads

    def _pre(self, text: str):
        T = self.t.Token
        toks = [
            T(text=k.text, position=k.pos, char_offset_from=k.start, char_offset_to=k.end)
            for k in analysis.tokenize(text)
        ]
        return self.t.PreTokenizedString(text, toks)

    def open_built(self) -> None:
        self.index.reload()
        self.searcher = self.index.searcher()

    def build(self, entries) -> None:
        w = self.index.writer(400_000_000, self.threads)
        for e in entries:
            d = self.t.Document()
            d.add_pre_tokenized_text("title", self._pre(e.title or ""))
            d.add_pre_tokenized_text("names", self._pre(e.names or ""))
            d.add_pre_tokenized_text("text", self._pre(e.text or ""))
            d.add_unsigned("doc", e.document)
            d.add_unsigned("page", e.page)
            d.add_text("household", keyword(e.household))
            d.add_text("community", keyword(e.community))
            d.add_text("building", keyword(e.building) or "-")
            d.add_text("type", e.type)
            d.add_unsigned("date", (e.date.year * 10000 + e.date.month * 100 + e.date.day) if e.date else 0)
            d.add_unsigned("confidential", int(e.confidential))
            w.add_document(d)
        w.commit()
        w.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())

    # --- queries
    def _terms(self, value: str) -> list[str]:
        return [t.text for t in analysis.query_terms(value)]

    def _exact(self, field: str, words: list[str]):
        Q = self.t.Query
        if len(words) == 1:
            return Q.term_query(self.schema, field, words[0])
        return Q.phrase_query(self.schema, field, words)

    def _text(self, t: Text, tolerant: bool):
        Q, Occur = self.t.Query, self.t.Occur
        words = self._terms(t.value)
        if not words:
            return None
        per_field = []
        for f in ("text", "title", "names"):
            q = self._exact(f, words)
            if tolerant and f == "text" and _tolerable(t):
                chars = "".join(c for c in analysis.fold(t.value) if not c.isspace())
                variants = [(Occur.Should, Q.boost_query(q, 2.0) if len(words) > 1 else q)]
                for i in range(len(chars)):
                    # Bigrams not touching character i, at their own offsets (a phrase with gaps).
                    keep = [(j, chars[j : j + 2]) for j in range(len(chars) - 1) if j + 1 != i and j != i]
                    singles = []
                    if i == 1 or (i > 0 and not any(j < i for j, _ in keep)):
                        singles.append((0, chars[0]))
                    if i == len(chars) - 2:
                        singles.append((len(chars) - 1, chars[-1]))
                    items = sorted(keep + singles)
                    if not items:
                        continue
                    base = items[0][0]
                    ws = [(o - base, w) for o, w in items]
                    variants.append(
                        (
                            Occur.Should,
                            Q.phrase_query(self.schema, f, ws)
                            if len(ws) > 1
                            else Q.term_query(self.schema, f, ws[0][1]),
                        )
                    )
                q = Q.boolean_query(variants)
            if self.BOOST[f] != 1.0:
                q = Q.boost_query(q, self.BOOST[f])
            per_field.append((Occur.Should, q))
        return Q.boolean_query(per_field)

    def _part(self, part, tolerant: bool):
        Q, Occur = self.t.Query, self.t.Occur
        if isinstance(part, Text):
            return self._text(part, tolerant)
        if isinstance(part, FieldIn):
            vals = [keyword(v) if part.field != "type" else v for v in part.values]
            return Q.boolean_query([(Occur.Should, Q.term_query(self.schema, part.field, v)) for v in vals])
        if isinstance(part, DateIn):
            lo = part.start.year * 10000 + part.start.month * 100 + part.start.day if part.start else 1
            hi = part.end.year * 10000 + part.end.month * 100 + part.end.day if part.end else 99999999
            return Q.range_query(self.schema, "date", self.t.FieldType.Unsigned, lo, hi)
        if isinstance(part, Any_):
            subs = [s for s in (self._part(p, tolerant) for p in part.parts) if s is not None]
            return Q.boolean_query([(Occur.Should, s) for s in subs])
        raise TypeError(part)

    def _compile(self, q: EngineQuery, tolerant: bool):
        Q, Occur = self.t.Query, self.t.Occur
        clauses = [(Occur.Must, s) for s in (self._part(p, tolerant) for p in q.must) if s is not None]
        if not clauses:
            clauses = [(Occur.Must, Q.all_query())]
        clauses += [(Occur.MustNot, s) for s in (self._part(p, False) for p in q.must_not) if s is not None]
        if q.hide_confidential:
            clauses.append((Occur.MustNot, Q.term_query(self.schema, "confidential", 1)))
        return Q.boolean_query(clauses)

    def search(self, q: EngineQuery) -> EngineResult:
        s = self.searcher
        query = self._compile(q, False)
        total = s.cardinality(query, "doc")
        if total < TOLERANT_BELOW and any(isinstance(p, Text) and _tolerable(p) for p in q.must):
            query = self._compile(q, True)
            total = s.cardinality(query, "doc")
        want = q.offset + q.limit
        limit = max(want * 5, 100)
        while True:
            res = s.search(query, limit, count=True)
            addrs = [a for _, a in res.hits]
            docs = s.fast_field_values("doc", addrs) if addrs else []
            seen: dict[int, int] = {}
            for i, d in enumerate(docs):
                if d not in seen:
                    seen[d] = i
            if len(seen) >= want or len(addrs) >= res.count:
                break
            limit *= 4
        order = list(seen)[q.offset : want]
        idx = [seen[d] for d in order]
        pages_no = s.fast_field_values("page", [addrs[i] for i in idx]) if idx else []
        hits = [
            EngineHit(int(d), int(p), float(res.hits[i][0]))
            for d, p, i in zip(order, pages_no, idx, strict=False)
        ]
        card = {"docs": {"cardinality": {"field": "doc"}}}
        agg = s.aggregate(
            query,
            {
                "type": {"terms": {"field": "type", "size": 100}, "aggs": card},
                "building": {"terms": {"field": "building", "size": 200}, "aggs": card},
                "year": {"histogram": {"field": "date", "interval": 10000, "min_doc_count": 1}, "aggs": card},
            },
        )
        facets = {"type": {}, "building": {}, "year": {}}
        for b in agg["type"]["buckets"]:
            facets["type"][b["key"]] = int(b["docs"]["value"])
        for b in agg["building"]["buckets"]:
            if b["key"] != "-":
                facets["building"][b["key"]] = int(b["docs"]["value"])
        for b in agg["year"]["buckets"]:
            if b["key"] >= 10000:
                facets["year"][str(int(b["key"]) // 10000)] = int(b["docs"]["value"])
        return EngineResult(int(total), res.count, hits, facets)


# ---------------------------------------------------------------------------------------------
# Query path (as search.service.search_documents, minus the catalog's permission re-check)
# ---------------------------------------------------------------------------------------------


def build_query(q: str, hide_confidential: bool) -> tuple[EngineQuery, list[Text]]:
    parsed = parse(q)

    def tr(part):
        if isinstance(part, Filter):
            if part.field in ("date", "year"):
                return DateIn(*date_range(part.value))
            return FieldIn(part.field, (part.value,))
        if isinstance(part, Any_):
            return Any_(tuple(tr(p) for p in part.parts))
        return part

    eq = EngineQuery(
        must=[tr(p) for p in parsed.must],
        must_not=[tr(p) for p in parsed.must_not],
        hide_confidential=hide_confidential,
        limit=20,
    )
    return eq, parsed.texts()


def run_query(engine, catalog: Catalog, q: str, hide: bool) -> tuple[EngineResult, list[str]]:
    eq, texts = build_query(q, hide)
    result = engine.search(eq)
    page_text = catalog.texts(result.hits)
    snippets = [highlight.snippet(page_text.get((h.document, h.page)), texts) for h in result.hits]
    return result, snippets


# ---------------------------------------------------------------------------------------------
# Query mix and recall queries
# ---------------------------------------------------------------------------------------------


def _cjk_window(text: str, rng: random.Random, lo: int, hi: int) -> str | None:
    for _ in range(30):
        n = rng.randint(lo, hi)
        start = rng.randrange(max(1, len(text) - n))
        w = text[start : start + n]
        if len(w) == n and all(analysis.is_cjk(c) for c in w):
            return w
    return None


def query_mix(corpus: Corpus, rng: random.Random, per_kind: int) -> list[tuple[str, str, bool]]:
    """(kind, query string, hide_confidential) — kinds in the proportions a clerk types them."""
    import opencc

    s2t = opencc.OpenCC("s2t")
    terms2 = [t for t in TERMS if len(t) == 2] + ["漏水", "押金", "投诉", "电梯", "车位", "过户", "租金"]
    terms_long = [t for t in TERMS if len(t) >= 3]
    years = list(range(2008, 2025))
    out: list[tuple[str, str, bool]] = []
    for i in range(per_kind):
        hide = i % 2 == 1
        out.append(("single word", rng.choice(terms2 + terms_long + list(ISSUES[:5])), hide))
        k = rng.randint(2, 4)
        out.append(("2-4 words", " ".join(rng.sample(terms2 + terms_long, k)), hide))
        src = rng.randrange(len(corpus.truth))
        w = _cjk_window(corpus.truth[src], rng, 4, 8) or "物业服务费"
        out.append(("phrase", f'"{w}"', hide))
        out.append(
            (
                "name / plate",
                rng.choice(
                    [
                        rng.choice(corpus.owners),
                        rng.choice(corpus.plates),
                        f"{rng.choice(corpus.owners)} {rng.choice(TERMS)}",
                    ]
                ),
                hide,
            )
        )
        y0 = rng.choice(years)
        typ = rng.choice(DOC_TYPES)[0]
        flt = rng.choice(
            [
                f"type:{typ}",
                f"date:{y0}..{min(2024, y0 + rng.randint(0, 3))}",
                f"household:{rng.choice(corpus.households)}",
                f"type:{typ} year:{y0}",
            ]
        )
        out.append(("with filters", f"{rng.choice(terms2 + terms_long)} {flt}", hide))
        out.append(
            (
                "OCR-tolerant 5-8 chars",
                _cjk_window(corpus.truth[rng.randrange(len(corpus.truth))], rng, 5, 8) or "维修基金缴纳",
                hide,
            )
        )
        out.append(("Traditional", s2t.convert(" ".join(rng.sample(terms_long, rng.randint(1, 2)))), hide))
    rng.shuffle(out)
    return out


def recall_queries(
    corpus: Corpus, rng: random.Random, n: int, max_relevant: int = 50
) -> list[tuple[str, set[int]]]:
    """Queries a clerk would type to find one page: one phrase of 8-12 characters (60%) or two
    phrases of 4-6, cut from the ground truth of a random page. A candidate found (in the ground
    truth) in more than ``max_relevant`` documents is drawn again, up to 5 times, so the set
    tests finding *this* page through its OCR errors, not returning any of thousands of pages
    that share a stock phrase."""
    out = []
    entries = corpus.entries
    while len(out) < n:
        src = rng.randrange(len(entries))
        truth = corpus.truth[src]
        for attempt in range(5):
            if rng.random() < 0.6:
                parts = [_cjk_window(truth, rng, 8, 12)]
            else:
                parts = [_cjk_window(truth, rng, 4, 6), _cjk_window(truth, rng, 4, 6)]
            if any(p is None for p in parts):
                continue
            folded = [analysis.fold(p) for p in parts]
            relevant = {
                entries[i].document for i, t in enumerate(corpus.truth_folded) if all(p in t for p in folded)
            }
            if len(relevant) <= max_relevant or attempt == 4:
                out.append((" ".join(parts), relevant))
                break
    return out


# ---------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100 * (len(s) - 1)))))
    return s[k]


def measure(name: str, engine, catalog: Catalog, mix, recall_qs, warmup: int, log) -> dict:
    for _kind, q, hide in mix[:warmup]:
        run_query(engine, catalog, q, hide)
    times: list[float] = []
    cpu: list[float] = []
    by_kind: dict[str, list[float]] = {}
    gc.collect()
    for kind, q, hide in mix:
        t, c = time.perf_counter(), time.process_time()
        run_query(engine, catalog, q, hide)
        dt = (time.perf_counter() - t) * 1000
        cpu.append((time.process_time() - c) * 1000)
        times.append(dt)
        by_kind.setdefault(kind, []).append(dt)
    cold: list[float] = []
    cache = getattr(engine, "term_cache", None)
    if cache is not None:
        # The same mix with the engine's decoded-postings cache emptied before every query: what
        # a query costs when none of its terms was read since the process started.
        cache_mb = cache.size_bytes / 2**20
        for _kind, q, hide in mix:
            cache.clear()
            c = time.process_time()
            run_query(engine, catalog, q, hide)
            cold.append((time.process_time() - c) * 1000)
    recalls = []
    for q, relevant in recall_qs:
        eq, _ = build_query(q, False)
        eq.limit = 10
        r = engine.search(eq)
        top = {h.document for h in r.hits[:10]}
        recalls.append(len(top & relevant) / min(len(relevant), 10) if relevant else 1.0)
    out = {
        "p50_ms": round(pct(times, 50), 2),
        "p95_ms": round(pct(times, 95), 2),
        "p99_ms": round(pct(times, 99), 2),
        "mean_ms": round(statistics.fmean(times), 2),
        "queries": len(times),
        # CPU time of this process per query: what the query cost, whatever else the machine ran.
        "cpu_p50_ms": round(pct(cpu, 50), 2),
        "cpu_p95_ms": round(pct(cpu, 95), 2),
        "cpu_p99_ms": round(pct(cpu, 99), 2),
        "by_kind_p50_p95_ms": {
            k: [round(pct(v, 50), 1), round(pct(v, 95), 1)] for k, v in sorted(by_kind.items())
        },
        "recall_at_10": round(statistics.fmean(recalls), 4) if recalls else None,
    }
    if cold:
        out.update(
            {
                "cold_cpu_p50_ms": round(pct(cold, 50), 2),
                "cold_cpu_p95_ms": round(pct(cold, 95), 2),
                "cold_cpu_p99_ms": round(pct(cold, 99), 2),
                "term_cache_mb": round(cache_mb, 1),
            }
        )
    log(
        f"  {name}: p50 {out['p50_ms']} ms  p95 {out['p95_ms']} ms  p99 {out['p99_ms']} ms  "
        f"(CPU p50 {out['cpu_p50_ms']} p95 {out['cpu_p95_ms']})  recall@10 {out['recall_at_10']}"
    )
    if cold:
        log(
            f"  {name}: cache emptied before every query: CPU p50 {out['cold_cpu_p50_ms']} ms  "
            f"p95 {out['cold_cpu_p95_ms']} ms  p99 {out['cold_cpu_p99_ms']} ms; "
            f"decoded-postings cache after the mix {out['term_cache_mb']} MB"
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=100_000)
    ap.add_argument("--chars", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--queries-per-kind", type=int, default=60, help="query mix size = 7 kinds x this")
    ap.add_argument("--recall-queries", type=int, default=200)
    ap.add_argument("--engines", default="whoosh,fts5,tantivy")
    ap.add_argument("--tantivy-threads", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the index folder")
    ap.add_argument(
        "--index-dir",
        type=Path,
        help="build the indexes here and keep them; a later run with the "
        "same --index-dir, --pages, --chars and --seed (and the same Whoosh index format) reuses them "
        "instead of building again, and reports the build figures recorded when they were built",
    )
    ap.add_argument("--json", action="store_true", help="print one JSON object (progress goes to stderr)")
    args = ap.parse_args()
    log = (
        (lambda *a: print(*a, file=sys.stderr, flush=True))
        if args.json
        else (lambda *a: print(*a, flush=True))
    )

    if args.index_dir:
        root = args.index_dir
        root.mkdir(parents=True, exist_ok=True)
    else:
        root = Path(tempfile.mkdtemp(prefix="dossier-search-bench-"))
    stamp_path = root / "built.json"
    want = {"pages": args.pages, "chars": args.chars, "seed": args.seed}
    stamp = json.loads(stamp_path.read_text()) if args.index_dir and stamp_path.exists() else {}
    if {k: stamp.get(k) for k in want} != want:
        stamp = dict(want, built={})
    built = stamp["built"]

    def reusable(name: str, path: Path) -> bool:
        # A Whoosh index is reused only if written in the current format (INDEX_FORMAT).
        fmt_ok = name != "whoosh" or built.get(name, {}).get("format") == INDEX_FORMAT
        return name in built and fmt_ok and path.exists()

    t = time.perf_counter()
    corpus = make_corpus(args.pages, args.chars, args.seed)
    n = len(corpus.entries)
    n_docs = len({e.document for e in corpus.entries})
    avg_chars = statistics.fmean(len(e.text) for e in corpus.entries[:2000])
    from tests.synthetic import cer

    sample = range(0, n, max(1, n // 10))  # pure-Python edit distance: 10 pages
    mean_cer = statistics.fmean(cer(corpus.truth[i], corpus.entries[i].text) for i in sample)
    log(
        f"corpus: {n} pages ({avg_chars:.0f} chars avg), {n_docs} documents, {len(corpus.households)} households, "
        f"simulated OCR CER {mean_cer:.2%} (generated in {time.perf_counter() - t:.0f} s)"
    )
    catalog = Catalog(root / "catalog.db", corpus.entries)
    rng = random.Random(args.seed + 1)
    mix = query_mix(corpus, rng, args.queries_per_kind)
    t = time.perf_counter()
    recall_qs = recall_queries(corpus, rng, args.recall_queries)
    log(
        f"query mix: {len(mix)} queries; recall set: {len(recall_qs)} queries "
        f"(median {statistics.median(len(r) for _, r in recall_qs):.0f} relevant documents; {time.perf_counter() - t:.0f} s)"
    )

    result: dict = {
        "pages": n,
        "documents": n_docs,
        "households": len(corpus.households),
        "chars_per_page": round(avg_chars),
        "simulated_cer": round(mean_cer, 4),
    }
    engines = args.engines.split(",")
    for name in engines:
        gc.collect()
        t = time.perf_counter()
        reused = False
        if name == "whoosh":
            eng = WhooshEngine(root / "whoosh")
            if reusable(name, root / "whoosh") and eng.exists():
                reused = True
            else:
                shutil.rmtree(root / "whoosh", ignore_errors=True)
                eng = WhooshEngine(root / "whoosh")
                eng.swap_in(eng.build(iter(corpus.entries)))
            build_s = time.perf_counter() - t
            size = sum(p.stat().st_size for p in eng.live_dir().iterdir())
        elif name == "fts5":
            if reusable(name, root / "fts5.db"):
                eng = Fts5Engine(root / "fts5.db")
                reused = True
            else:
                if (root / "fts5.db").exists():
                    (root / "fts5.db").unlink()
                eng = Fts5Engine(root / "fts5.db")
                eng.build(corpus.entries)
            build_s = time.perf_counter() - t
            size = eng.size()
        elif name == "tantivy":
            if not reusable(name, root / "tantivy"):
                shutil.rmtree(root / "tantivy", ignore_errors=True)
            try:
                eng = TantivyEngine(root / "tantivy", threads=args.tantivy_threads)
            except ImportError:
                log("  tantivy: not installed (pip install tantivy), skipped")
                continue
            if reusable(name, root / "tantivy"):
                eng.open_built()
                reused = True
            else:
                eng.build(corpus.entries)
            build_s = time.perf_counter() - t
            size = eng.size()
        else:
            raise SystemExit(f"unknown engine {name}")
        if reused:
            build_s = built[name]["build_s"]
            log(f"{name}: reusing the index in {root} (built earlier in {build_s:.1f} s)")
        elif args.index_dir:
            built[name] = {"build_s": round(build_s, 1)}
            if name == "whoosh":
                built[name]["format"] = INDEX_FORMAT
            stamp_path.write_text(json.dumps(stamp))
        log(
            f"{name}: {'index built earlier:' if reused else 'built'} {n} pages in {build_s:.1f} s "
            f"({n / build_s:.0f} pages/s), index {size / 2**20:.1f} MB"
        )
        r = {"build_pages_per_s": round(n / build_s, 1), "index_mb": round(size / 2**20, 1)}
        if reused:
            r["build_reused"] = True
        r.update(measure(name, eng, catalog, mix, recall_qs, warmup=min(30, len(mix)), log=log))
        result[name] = r
        if name == "whoosh":
            result["recall_at_10"] = r["recall_at_10"]
        del eng
    if not args.keep and not args.index_dir:
        shutil.rmtree(root, ignore_errors=True)
    else:
        log(f"indexes kept in {root}")

    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    cols = [e for e in engines if e in result]
    print(f"\n{n} pages × {round(avg_chars)} chars, {n_docs} documents, simulated OCR CER {mean_cer:.2%}")
    print(f"{'':<26}" + "".join(f"{c:>12}" for c in cols))
    for key, label in (
        ("build_pages_per_s", "build pages/s"),
        ("index_mb", "index MB"),
        ("p50_ms", "p50 ms"),
        ("p95_ms", "p95 ms"),
        ("p99_ms", "p99 ms"),
        ("cpu_p50_ms", "CPU p50 ms"),
        ("cpu_p95_ms", "CPU p95 ms"),
        ("cold_cpu_p95_ms", "CPU p95 ms, cold cache"),
        ("recall_at_10", "recall@10"),
    ):
        print(f"{label:<26}" + "".join(f"{result[c].get(key, '-'):>12}" for c in cols))
    kinds = sorted(result[cols[0]]["by_kind_p50_p95_ms"]) if cols else []
    for k in kinds:
        print(
            f"{k + ' p50/p95':<26}"
            + "".join(
                f"{'/'.join(str(round(x)) for x in result[c]['by_kind_p50_p95_ms'][k]):>12}" for c in cols
            )
        )


if __name__ == "__main__":
    main()
