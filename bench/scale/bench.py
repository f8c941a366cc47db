#!/usr/bin/env python3
"""bench/scale: crawl and classify throughput with 1, 2 and 4 workers.

make bench-scale runs it: the local test server (tests/server.py) serves
FEEDS feeds, each answering after DELAY seconds (100 ms: a distant
server) with 50 items; a throw-away PostgreSQL cluster (tests/pg.sh) and
an SQLite file are the two databases.  For each database and each number
of workers K, on a fresh database:

  crawl     K x `pcmon crawl --worker` at once until every feed is stored
  classify  K x `pcmon classify --worker` at once until every item is
            scored (the shipped model)

Reported: wall time, feeds/s and items/s, speed-up over one worker, and
the CPU the workers and the database server used (user + system seconds
from the kernel: wait4 for the workers, /proc for the PostgreSQL
processes), which says where scaling stops: CPU (the machine's cores are
busy), the database (its processes take the time), or the network (wall
time far above CPU time, bound by DELAY and concurrency).  Markdown on
stdout.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def pg_cpu(pgdir):
    """user+system seconds of every process of the cluster (postmaster and
    its backends), read from /proc; backends that exited are counted in
    the postmaster's cumulative children time."""
    pidfile = os.path.join(pgdir, "data", "postmaster.pid")
    try:
        pid = int(open(pidfile).readline())
    except OSError:
        return 0.0
    tck = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            st = open("/proc/%s/stat" % p).read()
        except OSError:
            continue
        f = st[st.rindex(")") + 2:].split()
        ppid = int(f[1])
        if int(p) == pid:
            # utime stime cutime cstime
            total += sum(int(x) for x in f[11:15]) / tck
        elif ppid == pid:
            total += (int(f[11]) + int(f[12])) / tck
    return total


def run_workers(argv, k, env):
    """k processes at once; returns (wall seconds, CPU seconds)."""
    t0 = time.time()
    procs = [subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) for _ in range(k)]
    cpu = 0.0
    for p in procs:
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        err = p.stderr.read().decode()
        if p.returncode not in (0, 1):
            sys.exit("bench/scale: %s exited %d: %s" %
                     (" ".join(argv), p.returncode, err[-1500:]))
        cpu += ru.ru_utime + ru.ru_stime
    return time.time() - t0, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pcmon", default=os.path.join(TOP, "pcmon"))
    ap.add_argument("--feeds", type=int, default=600)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--delay", type=float, default=0.1)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--workers", default="1,2,4")
    opts = ap.parse_args()
    pcmon = os.path.abspath(opts.pcmon)
    ks = [int(x) for x in opts.workers.split(",")]
    work = tempfile.mkdtemp(prefix="pcmon-scale-")
    srv = subprocess.Popen([sys.executable, os.path.join(TOP, "tests", "server.py"),
                            "--port", "0", "--root", TOP],
                           stdout=subprocess.PIPE, text=True)
    port = int(srv.stdout.readline().split()[1])
    pgdir = os.path.join(work, "pg")
    pgurl = subprocess.run(["sh", os.path.join(TOP, "tests", "pg.sh"), "start",
                            pgdir], capture_output=True, text=True,
                           check=True).stdout.strip().splitlines()[-1]
    rows = []
    try:
        for backend in ("sqlite", "postgresql"):
            for k in ks:
                case = "scale_%s_%d" % (backend, k)
                paths = ["/f%05d.xml" % i for i in range(opts.feeds)]
                routes = [{"path": p, "grow": str(opts.items),
                           "start": str(opts.items - 1),
                           "delay": str(opts.delay), "headers": []}
                          for p in paths]
                req = urllib.request.Request(
                    "http://127.0.0.1:%d/_control/routes" % port,
                    json.dumps({"case": case, "routes": routes}).encode())
                urllib.request.urlopen(req, timeout=30).read()
                d = os.path.join(work, case)
                os.makedirs(d)
                if backend == "sqlite":
                    db = os.path.join(d, "pcmon.db")
                else:
                    name = "b_%s" % case
                    subprocess.run(["psql", "-X", "-q", pgurl, "-c",
                                    "CREATE DATABASE %s" % name], check=True)
                    db = pgurl.rsplit("/", 1)[0] + "/" + name
                conf = os.path.join(d, "pcmon.conf")
                with open(conf, "w") as f:
                    f.write("[general]\ndata_dir = %s\ndatabase = %s\n"
                            "log_level = error\n[crawl]\nhost_delay = 0\n"
                            "concurrency = %d\nper_host = %d\n"
                            "user_agent = pcmon-bench (contact: bench@localhost)\n"
                            % (d, db, opts.concurrency, opts.concurrency))
                with open(os.path.join(d, "feeds.opml"), "w") as f:
                    f.write('<opml version="2.0"><body>\n')
                    for p in paths:
                        f.write('<outline type="rss" xmlUrl="http://127.0.0.1:%d/%s%s"/>\n'
                                % (port, case, p))
                    f.write("</body></opml>\n")
                env = dict(os.environ, PCMON_CONFIG=conf)
                env.pop("PCMON_DATABASE", None)
                subprocess.run([pcmon, "feeds", "import",
                                os.path.join(d, "feeds.opml")], env=env,
                               check=True, stdout=subprocess.DEVNULL)
                # the model loads once per worker: warm the page cache
                subprocess.run([pcmon, "model"], env=env,
                               stdout=subprocess.DEVNULL)
                pg0 = pg_cpu(pgdir)
                cw, cc = run_workers([pcmon, "crawl", "--worker", "--quiet",
                                      "--batch", str(opts.concurrency * 2)],
                                     k, env)
                pg1 = pg_cpu(pgdir)
                kw, kc = run_workers([pcmon, "classify", "--worker",
                                      "--batch", "500"], k, env)
                pg2 = pg_cpu(pgdir)
                if backend == "sqlite":
                    n = subprocess.run(
                        ["sqlite3", db, "SELECT (SELECT count(*) FROM items),"
                         " (SELECT count(*) FROM predictions),"
                         " (SELECT count(*) FROM feeds WHERE next_fetch_at"
                         " IS NULL)"], capture_output=True, text=True).stdout
                else:
                    n = subprocess.run(
                        ["psql", "-X", "-At", db, "-c",
                         "SELECT (SELECT count(*) FROM items),"
                         " (SELECT count(*) FROM predictions),"
                         " (SELECT count(*) FROM feeds WHERE next_fetch_at"
                         " IS NULL)"], capture_output=True, text=True).stdout
                items, preds, undone = (int(x) for x in n.strip().split("|"))
                if undone or preds != items:
                    sys.exit("bench/scale: %s k=%d: %d feeds undone, %d of %d "
                             "items scored" % (backend, k, undone, preds, items))
                rows.append((backend, k, cw, cc, pg1 - pg0, kw, kc, pg2 - pg1,
                             items))
                print("# %s, %d workers: crawl %.2fs, classify %.2fs" %
                      (backend, k, cw, kw), file=sys.stderr)
    finally:
        srv.terminate()
        subprocess.run(["sh", os.path.join(TOP, "tests", "pg.sh"), "stop",
                        pgdir], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)

    print("%d feeds of %d items, each answering after %d ms; concurrency %d "
          "per worker; %d CPU cores.\n" %
          (opts.feeds, opts.items, opts.delay * 1000, opts.concurrency,
           os.cpu_count()))
    print("| database | workers | crawl s | feeds/s | speed-up | workers CPU s "
          "| db CPU s | classify s | items/s | speed-up | workers CPU s "
          "| db CPU s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    base = {}
    for b, k, cw, cc, cp, kw, kc, kp, items in rows:
        if k == ks[0]:
            base[b] = (cw, kw)
        print("| %s | %d | %.2f | %.0f | %.2fx | %.2f | %s | %.2f | %.0f | "
              "%.2fx | %.2f | %s |" %
              (b, k, cw, opts.feeds / cw, base[b][0] / cw, cc,
               "%.2f" % cp if b == "postgresql" else "(in workers)", kw,
               items / kw, base[b][1] / kw, kc,
               "%.2f" % kp if b == "postgresql" else "(in workers)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
