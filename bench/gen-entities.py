#!/usr/bin/env python3
"""Writes a deterministic CSV of N synthetic Jingmen market entities in the import's
column set (valid credit codes with valid organisation-code check characters, valid ID
numbers, township division codes read from the migration, GB/T 4754 classes that exist).

    bench/gen-entities.py N OUT.csv [--seed S]

Used by the import benchmark (BENCHMARKS.md) until `shijian demo` (issue #7) exists.
"""
import random
import re
import sys
from pathlib import Path

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_W = [3, 7, 9, 10, 5, 8, 4, 2]
ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def org_code(n: int) -> str:
    body = f"{n:08d}"
    s = sum(int(c) * w for c, w in zip(body, ORG_W))
    c = 11 - s % 11
    return body + ("X" if c == 10 else "0" if c == 11 else str(c))


def uscc(prefix: str, county: str, n: int) -> str:
    body = prefix + county + org_code(n)
    s = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_W))
    return body + USCC_CHARS[(31 - s % 31) % 31]


def id_number(county: str, birth: str, seq: int) -> str:
    body = f"{county}{birth}{seq:03d}"
    return body + ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_W)) % 11]


def main() -> None:
    n = int(sys.argv[1])
    out = Path(sys.argv[2])
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1
    rng = random.Random(seed)
    root = Path(__file__).resolve().parent.parent
    sql = (root / "crates/storage/migrations/sqlite/0002_jurisdictions.sql").read_text()
    towns = re.findall(r"\('(4208\d{5})', '([^']*)', 'township'", sql)
    trade = list("荆楚汉江龙泉石化象山明显陵钟祥京山沙洋东宝掇刀屈家岭漳河文峰凤凰鑫源恒通华泰金瑞永盛宏达天成")
    kinds = [
        ("92", "个体工商户", ["餐饮店", "百货店", "便利店", "理发店", "五金店", "副食店", "农资店", "小吃店"], ["6210", "5211", "5212", "8010", "5234", "6291"]),
        ("91", "有限责任公司（自然人投资或控股）", ["商贸有限公司", "建材有限公司", "化工有限公司", "农业科技有限公司", "餐饮管理有限公司", "机械制造有限公司"], ["5191", "3021", "2614", "0141", "6210", "3429"]),
        ("91", "有限责任公司（自然人独资）", ["石化设备有限公司", "物流有限公司", "食品有限公司"], ["3521", "5810", "1499"]),
        ("93", "农民专业合作社", ["种植专业合作社", "养殖专业合作社"], ["0111", "0313"]),
    ]
    weights = [70, 18, 8, 4]
    statuses = ["存续"] * 90 + ["注销"] * 5 + ["吊销，未注销"] * 4 + ["歇业"]
    header = "统一社会信用代码,名称,类型,法定代表人,身份证号,注册资本（万元）,成立日期,住所,行政区划代码,行业代码,经营范围,登记状态"
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
    with out.open("w", encoding="utf-8", newline="") as f:
        f.write(header + "\r\n")
        for i in range(n):
            prefix, kind, suffixes, industries = rng.choices(kinds, weights)[0]
            code, town = rng.choice(towns)
            county = code[:6]
            name = f"{town[:2]}{rng.choice(trade)}{rng.choice(trade)}{rng.choice(suffixes)}"
            rep = rng.choice(surnames) + rng.choice(given) + (rng.choice(given) if rng.random() < 0.6 else "")
            year = rng.randint(1990, 2025)
            est = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            birth = f"{year - rng.randint(20, 60)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            ident = id_number(county, birth, rng.randint(0, 999)) if rng.random() < 0.8 else ""
            capital = "" if prefix == "92" else f"{rng.randint(1, 5000)}{rng.choice(['', '.5', '.25'])}"
            row = [
                uscc(prefix, county, i + 1),
                name,
                kind,
                rep,
                ident,
                capital,
                est,
                f"{town}{rng.randint(1, 300)}号",
                code,
                rng.choice(industries),
                "一般项目：" + rng.choice(["日用百货销售", "餐饮服务", "建筑材料销售", "农产品种植", "化工产品销售（不含许可类化工产品）"]),
                rng.choice(statuses),
            ]
            f.write(",".join(row) + "\r\n")


if __name__ == "__main__":
    main()
