#!/usr/bin/env python3
"""Latency of POST /api/v1/name-checks through HTTP, as the applicant types: signs in,
then sends ROUNDS checks of each name shape one after another on one keep-alive
connection (and, with --clients C, from C connections at once), and prints p50/p99.

    bench/name-check-latency.py http://127.0.0.1:8080 USER PASSWORD [--rounds 1000] [--clients 1]

Start the server with rate limits off (SHIJIAN_REQUESTS_PER_ADDRESS_PER_MINUTE=0), see
BENCHMARKS.md for the whole procedure.
"""
import http.client
import json
import statistics
import sys
import threading
import time
from urllib.parse import urlparse

SHAPES = [
    ("新字号（无冲突）", "荆门市沃动机械制造有限公司", "3429"),
    ("与已有字号相同", "龙泉荆楚餐饮管理有限公司", "6210"),
    ("两字字号（近似最多）", "荆门市荆楚商贸有限公司", "5191"),
    ("限制用语", "荆门中国石化有限公司", "2511"),
    ("输入中（尚无组织形式）", "荆门市凤凰", None),
]


def arg(name, default):
    return type(default)(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def connect(base):
    u = urlparse(base)
    return http.client.HTTPConnection(u.hostname, u.port or 80, timeout=30)


def post(conn, path, body, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    conn.request("POST", path, body=json.dumps(body).encode(), headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    if resp.status != 200:
        raise SystemExit(f"{path}: {resp.status} {data[:300]!r}")
    return json.loads(data)


def pct(sorted_ms, p):
    return sorted_ms[min(len(sorted_ms) - 1, round((len(sorted_ms) - 1) * p))]


def run(base, token, body, rounds, out):
    conn = connect(base)
    last = None
    for _ in range(rounds):
        t = time.perf_counter()
        last = post(conn, "/api/v1/name-checks", body, token)
        out.append((time.perf_counter() - t) * 1000)
    conn.close()
    return last


def main():
    base, user, password = sys.argv[1:4]
    rounds = arg("--rounds", 1000)
    clients = arg("--clients", 1)
    token = post(connect(base), "/api/v1/auth/login", {"username": user, "password": password})["token"]
    print(f"{rounds} checks per shape per client, {clients} client(s), {base}")
    for label, name, industry in SHAPES:
        body = {"name": name, "division_code": "420802", "industry_code": industry,
                "enterprise_type": "llc_natural_person_invested"}
        run(base, token, body, 20, [])  # warm-up
        times = []
        results = []
        threads = [threading.Thread(target=lambda: results.append(run(base, token, body, rounds, times)))
                   for _ in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        times.sort()
        v = results[-1]
        print(f"  {label:<14} {name:<16} p50 {pct(times, .5):6.2f} ms  p99 {pct(times, .99):6.2f} ms  "
              f"mean {statistics.fmean(times):6.2f} ms  {len(times) / wall:7.0f}/s  "
              f"verdict {v['verdict']}, {len(v['reasons'])} reasons")


if __name__ == "__main__":
    main()
