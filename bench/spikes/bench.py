#!/usr/bin/env python3
"""bench/spikes: pcmon's spike detector against a rolling z-score and a
Poisson threshold on generated daily count series with labeled events.

The generator (ours, fixed seeds) makes one year per series in five regimes:

  busy_seasonal   ~20 stories/day with a weekly pattern (weekends at 40%),
                  mildly overdispersed (negative binomial, k = 20)
  overdispersed   ~3/day, negative binomial k = 1.5 (bursty news)
  sparse          0.05-0.3/day (a country or theme x country series)
  level_shift     ~5/day, then a sustained jump to 2.5-4x at a random day
                  (the shift's first days are the event; alerts later on the
                  new level are false)
  outages         ~8/day with 1-3 crawler outages of 2-6 blind days (zero
                  counts, flagged blind) followed by a catch-up day
                  carrying what was missed

Events (1-3 per series, none for some) start at random days 60-350, last
1-10 days with a decaying shape, and add from barely visible to huge extra
counts.  Every detector sees the same series.  Scoring is per episode: a
run of alert days (gaps of at most one day joined) is one episode; it is a
true positive when it starts inside an event (or on the day after), else a
false positive.  An event is detected when an episode starts inside it;
delay = episode start - event start.  Precision = true episodes / all
episodes, recall = detected events / events.

Baselines get the blind flags in the simplest fair way: blind days are
skipped (neither judged nor part of their history).
"""
import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

REGIMES = ["busy_seasonal", "overdispersed", "sparse", "level_shift", "outages"]


def nb(rng, mu, k):
    if mu <= 0:
        return 0
    if k is None:
        return poisson(rng, mu)
    return poisson(rng, mu * rng.gammavariate(k, 1.0 / k))


def poisson(rng, mu):
    if mu > 60:
        return max(0, int(round(rng.gauss(mu, math.sqrt(mu)))))
    l, k, p = math.exp(-mu), 0, 1.0
    while True:
        p *= rng.random()
        if p <= l:
            return k
        k += 1


def gen_series(rng, regime, n=365):
    blind = [0] * n
    events = []  # (start, end) inclusive
    if regime == "busy_seasonal":
        base, k = 20.0, 20.0
        week = [1.15, 1.15, 1.15, 1.15, 1.1, 0.4, 0.4]
        dow0 = rng.randrange(7)
        mean = [base * week[(t + dow0) % 7] for t in range(n)]
    elif regime == "overdispersed":
        base, k = rng.uniform(2, 4), 1.5
        mean = [base] * n
    elif regime == "sparse":
        base, k = rng.uniform(0.05, 0.3), None
        mean = [base] * n
    elif regime == "level_shift":
        base, k = rng.uniform(3, 7), 10.0
        at = rng.randrange(120, 330)
        m = rng.uniform(2.5, 4)
        mean = [base if t < at else base * m for t in range(n)]
        events.append((at, at + 2))
    else:  # outages
        base, k = rng.uniform(6, 10), 10.0
        mean = [base] * n
    counts = [nb(rng, mean[t], k) for t in range(n)]
    # events: extra stories on top
    nev = rng.choice([0, 1, 1, 2, 3]) if regime != "level_shift" else rng.choice([0, 1])
    taken = set(range(events[0][0] - 5, events[0][1] + 10)) if events else set()
    for _ in range(nev):
        for _try in range(20):
            s = rng.randrange(60, 350)
            length = rng.choice([1, 1, 2, 3, 5, 7, 10])
            e = min(n - 1, s + length - 1)
            if not any(d in taken for d in range(s - 7, e + 8)):
                break
        else:
            continue
        taken.update(range(s - 7, e + 8))
        size = rng.choice([0.75, 1.5, 3, 6]) * (base + 2 * math.sqrt(base) + 1)
        for d in range(s, e + 1):
            counts[d] += poisson(rng, size * (0.6 ** (d - s)) + (1 if d == s else 0))
        events.append((s, e))
    if regime == "outages":
        for _ in range(rng.randint(1, 3)):
            for _try in range(20):
                s = rng.randrange(40, 355)
                length = rng.randint(2, 6)
                if not any(d in taken for d in range(s - 3, s + length + 3)):
                    break
            else:
                continue
            taken.update(range(s - 3, s + length + 3))
            missed = 0
            for d in range(s, min(n, s + length)):
                missed += counts[d]
                counts[d] = 0
                blind[d] = 1
            if s + length < n:
                counts[s + length] += missed
    return counts, blind, sorted(events)


# ------------------------------------------------------------- detectors

def rolling_z(counts, blind, window=28, z=3.0):
    hist, alerts = [], []
    for t, x in enumerate(counts):
        if blind[t]:
            continue
        if len(hist) >= 14:
            m = statistics.fmean(hist[-window:])
            s = statistics.pstdev(hist[-window:]) or 1.0
            if x >= 1 and (x - m) / s >= z:
                alerts.append(t)
        hist.append(x)
    return alerts


def poisson_sf(x, mu):
    """P(X >= x) for Poisson(mu)."""
    if x <= 0:
        return 1.0
    term = math.exp(-mu)
    cdf = term
    for i in range(1, x):
        term *= mu / i
        cdf += term
    return max(0.0, 1.0 - cdf) if cdf < 0.999999 else tail_direct(x, mu)


def tail_direct(x, mu):
    term = math.exp(-mu + x * math.log(mu) - math.lgamma(x + 1)) if mu > 0 else 0.0
    total, i = 0.0, x
    while term > 1e-300 and i < x + 10000:
        total += term
        i += 1
        term *= mu / i
        if term < total * 1e-16:
            break
    return total


def poisson_threshold(counts, blind, window=28, alpha=0.01):
    hist, alerts = [], []
    for t, x in enumerate(counts):
        if blind[t]:
            continue
        if len(hist) >= 14:
            m = max(statistics.fmean(hist[-window:]), 0.05)
            if x >= 1 and poisson_sf(x, m) < alpha:
                alerts.append(t)
        hist.append(x)
    return alerts


def pcmon_detect(pcmon, counts, blind, tmp, with_blind):
    path = os.path.join(tmp, "s.csv")
    with open(path, "w") as f:
        f.write("date,count,blind\n" if with_blind else "date,count\n")
        d0 = 20454  # 2026-01-01 as a day number
        for t, x in enumerate(counts):
            y, m, d = civil(d0 + t)
            f.write("%04d-%02d-%02d,%d%s\n" % (y, m, d, x, (",%d" % blind[t]) if with_blind else ""))
    out = subprocess.run([pcmon, "detect", "--input", path], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("pcmon detect failed: " + out.stderr)
    import json
    days = []
    for line in out.stdout.splitlines():
        j = json.loads(line)
        y, m, d = map(int, j["date"].split("-"))
        days.append(days_from_civil(y, m, d) - d0)
    return days


def civil(z):
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


def days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


# --------------------------------------------------------------- scoring

def episodes(days):
    eps, last = [], None
    for d in sorted(days):
        if last is not None and d - last <= 2:
            last = d
            continue
        eps.append(d)
        last = d
    return eps


def score(alert_days, events, acc):
    eps = episodes(alert_days)
    hit = set()
    for e in eps:
        ok = False
        for i, (s, end) in enumerate(events):
            if s <= e <= end + 1:
                ok = True
                if e <= end and i not in hit:
                    hit.add(i)
                    acc["delays"].append(e - s)
                break
        acc["tp" if ok else "fp"] += 1
    acc["events"] += len(events)
    acc["detected"] += len(hit)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pcmon", default="build/rel/pcmon")
    ap.add_argument("--series", type=int, default=150)
    ap.add_argument("--seed", type=int, default=20261128)
    args = ap.parse_args()
    dets = ["pcmon", "rolling z-score", "Poisson threshold"]
    rows = []
    t_pcmon = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for ri, regime in enumerate(REGIMES):
            rng = random.Random(args.seed * 10 + ri)
            acc = {d: {"tp": 0, "fp": 0, "events": 0, "detected": 0, "delays": []} for d in dets}
            for _ in range(args.series):
                counts, blind, events = gen_series(rng, regime)
                t0 = time.perf_counter()
                a = pcmon_detect(args.pcmon, counts, blind, tmp, regime == "outages")
                t_pcmon += time.perf_counter() - t0
                score(a, events, acc["pcmon"])
                score(rolling_z(counts, blind), events, acc["rolling z-score"])
                score(poisson_threshold(counts, blind), events, acc["Poisson threshold"])
            for d in dets:
                a = acc[d]
                p = a["tp"] / (a["tp"] + a["fp"]) if a["tp"] + a["fp"] else 0.0
                r = a["detected"] / a["events"] if a["events"] else 0.0
                f1 = 2 * p * r / (p + r) if p + r else 0.0
                delay = statistics.median(a["delays"]) if a["delays"] else float("nan")
                rows.append((regime, d, a["events"], a["tp"] + a["fp"], p, r, f1, delay))
    print("| regime | detector | events | episodes | precision | recall | F1 | median delay (days) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print("| %s | %s | %d | %d | %.3f | %.3f | **%.3f** | %s |" % (
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], "%.0f" % r[7] if r[7] == r[7] else "-"))
    print()
    print("| regime | pcmon F1 / best baseline F1 |")
    print("|---|---:|")
    for regime in REGIMES:
        f = {r[1]: r[6] for r in rows if r[0] == regime}
        best = max(f["rolling z-score"], f["Poisson threshold"])
        print("| %s | %.2f |" % (regime, f["pcmon"] / best if best else float("inf")))
    print()
    print("%d series per regime, seed %d; pcmon detect --input: %.1f ms per one-year series "
          "(process start included)" % (args.series, args.seed, 1000 * t_pcmon / (args.series * len(REGIMES))))


if __name__ == "__main__":
    main()
