"""Search bench: index N synthetic pages (~1,500 characters each) and time typical queries.

    python bench/search.py --pages 2000          # smoke run
    python bench/search.py --pages 100000        # the issue's target (long, CPU-heavy)

Prints pages/s for a full build, an incremental commit of one document, query latencies
(words, phrase, OCR-tolerant, one character, digits, filtered, staff mask) and index size.
No catalog: the engine is fed PageEntry objects directly.
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
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from search.engine import DateIn, EngineQuery, FieldIn, PageEntry
from search.query import Text
from search.whoosh_engine import WhooshEngine

WORDS = ("业主 维修基金 缴纳 装修 押金 收据 水电表 编号 物业管理费 车位 钥匙 领用 投诉 建议 报修 漏水 "
         "燃气 更换 合同 入住 登记 紧急联络人 房屋 变更 租户 违规 欠费 通知 说明 办理 申请 审批 日期 签字").split()
TYPES = ("repair", "payment", "renovation", "contract", "complaint")


def page_text(rng: random.Random, chars: int) -> str:
    out, n = [], 0
    while n < chars:
        w = rng.choice(WORDS)
        if rng.random() < 0.08:
            w = f"{rng.randint(1, 30)}单元{rng.randint(101, 3299)}室"
        if rng.random() < 0.03:
            w = f"DN{rng.randint(2010, 2024)}{rng.randint(0, 999):03d}"
        out.append(w)
        n += len(w)
        if rng.random() < 0.1:
            out.append("，")
    return "".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--chars", type=int, default=1500)
    ap.add_argument("--pages-per-doc", type=int, default=10)
    args = ap.parse_args()
    rng = random.Random(7)
    root = Path(tempfile.mkdtemp(prefix="dossier-search-bench-"))
    engine = WhooshEngine(root)

    def entries():
        for i in range(args.pages):
            doc = i // args.pages_per_doc + 1
            yield PageEntry(doc, i % args.pages_per_doc + 1, f"A-{doc % 30}-{doc % 3000:04d}", "阳光花园",
                            f"{doc % 30}", "张三", TYPES[doc % len(TYPES)], "报修单", date(2015 + doc % 10, 1 + doc % 12, 1),
                            doc % 7 == 0, "indexed", page_text(rng, args.chars))

    t = time.perf_counter()
    built = engine.build(entries())
    engine.swap_in(built)
    build_s = time.perf_counter() - t
    size = sum(p.stat().st_size for p in engine.live_dir().iterdir())
    print(f"build: {args.pages} pages in {build_s:.1f}s ({args.pages / build_s:.0f} pages/s), index {size / 1e6:.1f} MB")

    t = time.perf_counter()
    engine.apply({10**6: [PageEntry(10**6, p, "Z-1-0101", "阳光花园", "1", "李四", "repair", "新", None, False,
                                    "indexed", page_text(rng, args.chars)) for p in range(1, 11)]})
    print(f"incremental commit of one 10-page document: {(time.perf_counter() - t) * 1000:.0f} ms")

    queries = {
        "two words": [Text("维修基金"), Text("押金")],
        "phrase": [Text("物业管理费", exact=True)],
        "ocr-tolerant 6 chars": [Text("维修基金缴纳")],
        "one character": [Text("漏")],
        "digits": [Text("DN2019")],
        "type+date filter": [Text("装修"), FieldIn("type", ("renovation",)), DateIn(date(2018, 1, 1), date(2020, 12, 31))],
    }
    for name, must in queries.items():
        for hide in (False, True):
            times = []
            for _ in range(5):
                t = time.perf_counter()
                r = engine.search(EngineQuery(must=must, hide_confidential=hide, limit=20))
                times.append(time.perf_counter() - t)
            print(f"{name:<22} {'staff' if hide else 'admin'}: {statistics.median(times) * 1000:7.1f} ms "
                  f"({r.total} docs, {r.pages} pages)")


if __name__ == "__main__":
    main()
