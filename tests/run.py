#!/usr/bin/env python3
"""pcmon's test runner (the README's test command runs it through make test).

Runs two kinds of tests and ends with one line "N passed, N failed":

  * unit binaries (build/*/tests/test_*): table-driven C tests printing TAP
    lines "ok N - name" / "not ok N - name"; every line counts.
  * case files (tests/cases/*.test): one end-to-end case per file, in curl's
    manner.  See tests/README.md for the format.

A real HTTP server (tests/server.py) is started on 127.0.0.1 on a free port
when a case needs one, and stopped at the end.  Python standard library only.
"""

import argparse
import concurrent.futures
import fnmatch
import json
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# unit binaries run a second time against PostgreSQL (PCMON_TEST_PG)
PG_UNITS = ("test_store",)
CASES = os.path.join(SRC, "tests", "cases")

BLOCKS = {"stdout", "stdin", "config", "file", "stderr", "script"}
DIRECTIVES = BLOCKS | {
    "serve", "timeout", "run", "sh", "exit", "stdout-file", "stdout-contains",
    "stdout-not-contains", "stderr-contains", "stderr-not-contains",
    "stderr-empty", "stdout-lines", "sql"}


def is_directive(line):
    """A block ends at a line naming a known directive, so INI sections such
    as [general] can appear inside [file] and [config] blocks."""
    if not line.startswith("["):
        return False
    end = line.find("]")
    return end > 0 and line[1:end].strip().split(" ")[0] in DIRECTIVES


class CaseError(Exception):
    pass


def parse_case(path):
    """Returns a list of (directive, argument, block_text, lineno)."""
    items = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        lineno = i + 1
        i += 1
        if not line.strip() or line.startswith("#"):
            continue
        if not is_directive(line):
            raise CaseError("%s:%d: expected a [directive]" % (path, lineno))
        end = line.find("]")
        if end < 0:
            raise CaseError("%s:%d: unterminated [directive]" % (path, lineno))
        head = line[1:end].strip()
        rest = line[end + 1:].strip()
        name, _, arg = head.partition(" ")
        arg = arg.strip()
        if rest and arg:
            arg = arg + " " + rest
        elif rest:
            arg = rest
        block = None
        if name in BLOCKS and not (name in ("stdout", "stderr") and rest):
            body = []
            while i < len(lines) and not is_directive(lines[i]):
                body.append(lines[i])
                i += 1
            # a block ends before the next directive; trailing blank lines
            # and comment lines between blocks are not part of it
            while body and (body[-1] == "" or body[-1].startswith("#")):
                body.pop()
            block = "\n".join(body) + ("\n" if body else "")
        items.append((name, arg, block, lineno))
    return items


class Server:
    """tests/server.py in a child process; routes set per case over HTTP."""

    def __init__(self):
        self.proc = None
        self.port = None
        self.lock = threading.Lock()

    def start(self):
        # cases run in threads: the first starts the server, the others
        # wait for its port
        with self.lock:
            self._start()

    def _start(self):
        if self.proc:
            return
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(SRC, "tests", "server.py"),
             "--port", "0", "--root", SRC],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("port "):
            raise RuntimeError("test server did not start")
        self.port = int(line.split()[1])

    def routes(self, case_id, routes):
        data = json.dumps({"case": case_id, "routes": routes}).encode()
        req = urllib.request.Request(
            "http://127.0.0.1:%d/_control/routes" % self.port, data=data,
            method="POST")
        urllib.request.urlopen(req, timeout=10).read()

    def stop(self):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None


class Postgres:
    """A throw-away PostgreSQL cluster (tests/pg.sh), started by the first
    case or unit run that needs one; each case gets its own database."""

    def __init__(self):
        self.dir = None
        self.url = None
        self.lock = threading.Lock()
        self.error = None

    def start(self):
        with self.lock:
            if self.url or self.error:
                return self.url
            self.dir = tempfile.mkdtemp(prefix="pcmon-pg-")
            p = subprocess.run(["sh", os.path.join(SRC, "tests", "pg.sh"),
                                "start", self.dir],
                               capture_output=True, text=True, timeout=180)
            if p.returncode != 0:
                self.error = "PostgreSQL did not start: %s" % \
                    (p.stderr.strip()[-2000:] or p.stdout.strip())
                raise RuntimeError(self.error)
            self.url = p.stdout.strip().splitlines()[-1]
            return self.url

    def database(self, name):
        """A fresh database NAME (dropped first); its URL."""
        url = self.start()
        if not url:
            raise RuntimeError(self.error)
        name = "t_" + "".join(c if c.isalnum() else "_" for c in name).lower()
        for sql in ("DROP DATABASE IF EXISTS %s" % name,
                    "CREATE DATABASE %s" % name):
            p = subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1",
                                url, "-c", sql],
                               capture_output=True, text=True, timeout=60)
            if p.returncode != 0:
                raise RuntimeError("psql: %s" % p.stderr.strip())
        return url.rsplit("/", 1)[0] + "/" + name

    def stop(self):
        if self.dir:
            subprocess.run(["sh", os.path.join(SRC, "tests", "pg.sh"),
                            "stop", self.dir], capture_output=True,
                           timeout=120)
            self.dir = self.url = None


def subst(text, env):
    for k in ("%SRC", "%TMP", "%PORT", "%CASE", "%URL", "%PGURL"):
        text = text.replace(k, env.get(k, k))
    return text


def sql_result(db, query):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        rows = con.execute(query).fetchall()
    finally:
        con.close()

    def cell(v):
        if v is None:
            return "NULL"
        if isinstance(v, float) and v.is_integer():
            return str(v)
        return str(v)
    return ",".join("|".join(cell(c) for c in r) for r in rows)


def base_config(tmp):
    return ("[general]\n"
            "data_dir = %s/data\n"
            "database = %s/pcmon.db\n"
            "log_level = info\n" % (tmp, tmp))


def run_case(path, opts, server, pg):
    """Returns (ok, messages)."""
    name = os.path.basename(path)[:-5]
    items = parse_case(path)
    tmp = tempfile.mkdtemp(prefix="pcmon-%s-" % name[:20])
    env = {"%SRC": SRC, "%TMP": tmp, "%CASE": name}
    fails = []
    keep = opts.keep

    needs_server = any(d == "serve" or "%PORT" in (a + (b or "")) or
                       "%URL" in (a + (b or ""))
                       for d, a, b, _ in items)
    routes = []
    if needs_server:
        server.start()
        env["%PORT"] = str(server.port)
        # each case's routes live under /CASE/ on the shared server
        env["%URL"] = "http://127.0.0.1:%d/%s" % (server.port, name)

    if any("%PGURL" in (a + (b or "")) for d, a, b, _ in items):
        # a database of its own on the shared throw-away cluster
        env["%PGURL"] = pg.database(name)

    cfg = base_config(tmp)
    for d, a, b, ln in items:
        if d == "config":
            cfg += subst(b, env)
        elif d == "file":
            if not a:
                raise CaseError("%s:%d: [file] needs a name" % (path, ln))
            fp = os.path.join(tmp, subst(a, env))
            os.makedirs(os.path.dirname(fp), exist_ok=True)
            with open(fp, "w", encoding="utf-8") as f:
                f.write(subst(b, env))
        elif d == "serve":
            parts = shlex.split(subst(a, env))
            if not parts:
                raise CaseError("%s:%d: [serve] needs a path" % (path, ln))
            route = {"path": parts[0], "headers": []}
            for p in parts[1:]:
                k, _, v = p.partition("=")
                if k == "header":
                    route["headers"].append(v)
                else:
                    route[k] = v
            routes.append(route)
    with open(os.path.join(tmp, "pcmon.conf"), "w") as f:
        f.write(cfg)
    if needs_server:
        server.routes(name, routes)

    run_env = dict(os.environ)
    for k in ("PCMON_CONFIG", "XDG_CONFIG_HOME", "PCMON_DATABASE"):
        run_env.pop(k, None)
    run_env.update({
        "PCMON_CONFIG": os.path.join(tmp, "pcmon.conf"),
        "HOME": tmp,
        # local time must never leak into UTC output
        "TZ": "Asia/Shanghai",
        "LC_ALL": "C.UTF-8",
        "PATH": os.path.dirname(os.path.abspath(opts.pcmon)) + os.pathsep +
        run_env.get("PATH", ""),
        "PCMON_TEST_TMP": tmp,
        "PCMON_SRC": SRC,
        "no_proxy": "*",
    })
    if opts.asan:
        run_env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
        run_env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")

    stdin_data = None
    last = None  # (argv, rc, out, err)
    step = 0
    exit_checked = True
    timeout = opts.timeout

    def check_exit_default():
        if last is not None and not exit_checked and last[1] != 0:
            fails.append("step %d: '%s' exited %d (expected 0)\n%s" %
                         (step, " ".join(last[0]), last[1], last[3][-2000:]))

    for d, a, b, ln in items:
        where = "%s:%d" % (os.path.basename(path), ln)
        if d in ("config", "file", "serve"):
            continue
        if d == "stdin":
            stdin_data = subst(b, env).encode()
            continue
        if d == "timeout":
            timeout = float(a)
            continue
        if d in ("run", "sh"):
            check_exit_default()
            step += 1
            a = subst(a, env)
            if d == "run":
                argv = shlex.split(a)
                if argv and argv[0] == "pcmon":
                    argv = argv[1:]
                argv = [os.path.abspath(opts.pcmon)] + argv
                shell = False
            else:
                argv = a
                shell = True
            try:
                p = subprocess.run(argv, input=stdin_data, cwd=tmp,
                                   env=run_env, capture_output=True,
                                   timeout=timeout, shell=shell)
                out = p.stdout.decode("utf-8", "replace")
                err = p.stderr.decode("utf-8", "replace")
                last = ([a] if shell else argv[1:], p.returncode, out, err)
            except subprocess.TimeoutExpired:
                fails.append("%s: timed out after %gs: %s" % (where, timeout, a))
                last = ([a], -999, "", "")
            stdin_data = None
            exit_checked = False
            if opts.asan and ("ERROR: AddressSanitizer" in last[3] or
                              "runtime error:" in last[3] or
                              "ERROR: LeakSanitizer" in last[3]):
                fails.append("%s: sanitizer report:\n%s" % (where, last[3][-3000:]))
            continue
        if last is None and d not in ("sql",):
            raise CaseError("%s: [%s] before any [run]" % (where, d))
        argv, rc, out, err = last if last else ([], 0, "", "")
        if d == "exit":
            exit_checked = True
            if rc != int(a):
                fails.append("%s: exit %d, expected %s\nstderr: %s" %
                             (where, rc, a, err[-2000:]))
        elif d == "stdout":
            want = subst(b, env) if b is not None else subst(a, env) + "\n"
            if out != want:
                fails.append("%s: stdout differs\n--- want\n%s--- got\n%s" %
                             (where, want, out[-4000:]))
        elif d == "stdout-file":
            with open(os.path.join(SRC, subst(a, env)), encoding="utf-8") as f:
                want = f.read()
            if out != want:
                fails.append("%s: stdout differs from %s\n--- got\n%s" %
                             (where, a, out[-4000:]))
        elif d == "stdout-contains":
            if subst(a, env) not in out:
                fails.append("%s: stdout lacks %r\n--- got\n%s" %
                             (where, a, out[-3000:]))
        elif d == "stdout-not-contains":
            if subst(a, env) in out:
                fails.append("%s: stdout contains %r" % (where, a))
        elif d == "stderr-contains":
            if subst(a, env) not in err:
                fails.append("%s: stderr lacks %r\n--- got\n%s" %
                             (where, a, err[-3000:]))
        elif d == "stderr-not-contains":
            if subst(a, env) in err:
                fails.append("%s: stderr contains %r" % (where, a))
        elif d == "stderr-empty":
            if err:
                fails.append("%s: stderr not empty:\n%s" % (where, err[-2000:]))
        elif d == "stdout-lines":
            n = len(out.splitlines())
            if n != int(a):
                fails.append("%s: %d stdout lines, expected %s" % (where, n, a))
        elif d == "sql":
            q, sep, want = a.rpartition("=>")
            if not sep:
                raise CaseError("%s: [sql] needs 'QUERY => EXPECTED'" % where)
            try:
                got = sql_result(os.path.join(tmp, "pcmon.db"), subst(q.strip(), env))
            except sqlite3.Error as e:
                got = "sqlite error: %s" % e
            if got != subst(want.strip(), env):
                fails.append("%s: %s\n  got  %r\n  want %r" %
                             (where, q.strip(), got, want.strip()))
        else:
            raise CaseError("%s: unknown directive [%s]" % (where, d))
    check_exit_default()
    if step == 0:
        fails.append("case has no [run] step")
    if not fails and not keep:
        shutil.rmtree(tmp, ignore_errors=True)
    elif fails:
        fails.append("(files kept in %s)" % tmp)
    return (not fails, fails)


def run_unit(path, opts, extra_env=None):
    """Runs one TAP binary; returns (passed, failed, lines to print)."""
    env = dict(os.environ)
    env.update(extra_env or {})
    env["PCMON_SRC"] = SRC
    env["TZ"] = "Asia/Shanghai"
    try:
        p = subprocess.run([path], cwd=SRC, env=env, capture_output=True,
                           timeout=opts.unit_timeout)
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        rc = p.returncode
    except subprocess.TimeoutExpired:
        return 0, 1, ["not ok - %s timed out" % os.path.basename(path)]
    passed = failed = 0
    shown = []
    for line in out.splitlines():
        if line.startswith("ok "):
            passed += 1
        elif line.startswith("not ok"):
            failed += 1
            shown.append(line)
        elif line.startswith("#") and shown:
            shown.append(line)
    if rc != 0 and failed == 0:
        failed += 1
        shown.append("not ok - %s exited %d\n%s" %
                     (os.path.basename(path), rc, err[-3000:]))
    if passed + failed == 0:
        failed = 1
        shown.append("not ok - %s ran no test" % os.path.basename(path))
    return passed, failed, shown


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pcmon", default=os.path.join(SRC, "pcmon"))
    ap.add_argument("--units", help="directory of unit test binaries")
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--unit-timeout", type=float, default=600)
    ap.add_argument("--keep", action="store_true", help="keep temp dirs")
    ap.add_argument("--no-pg", action="store_true",
                    help="skip the store tests' PostgreSQL run")
    ap.add_argument("patterns", nargs="*",
                    help="only cases/units whose name matches (glob)")
    opts = ap.parse_args()
    opts.asan = "/san/" in os.path.abspath(opts.pcmon) or \
        os.environ.get("PCMON_ASAN") == "1"

    def wanted(name):
        return not opts.patterns or any(
            fnmatch.fnmatch(name, p) or p in name for p in opts.patterns)

    passed = failed = 0
    t0 = time.time()
    pg = Postgres()

    if opts.units and os.path.isdir(opts.units):
        for b in sorted(os.listdir(opts.units)):
            path = os.path.join(opts.units, b)
            if not b.startswith("test_") or not os.access(path, os.X_OK):
                continue
            if not wanted(b):
                continue
            runs = [(b, None)]
            if b in PG_UNITS and not opts.no_pg:
                # the store's tests again, on PostgreSQL
                try:
                    runs.append((b + " (postgresql)",
                                 {"PCMON_TEST_PG": pg.database(b)}))
                except (RuntimeError, OSError, subprocess.SubprocessError) as e:
                    failed += 1
                    print("FAILED %s (postgresql): %s" % (b, e))
            for label, extra in runs:
                p, f, shown = run_unit(path, opts, extra)
                passed += p
                failed += f
                print("%s %s: %d passed, %d failed" %
                      ("ok    " if f == 0 else "FAILED", label, p, f))
                for line in shown:
                    print("    " + line)
                sys.stdout.flush()

    server = Server()
    cases = sorted(c for c in os.listdir(CASES) if c.endswith(".test")) \
        if os.path.isdir(CASES) else []
    cases = [c for c in cases if wanted(c[:-5])]
    try:
        with concurrent.futures.ThreadPoolExecutor(opts.jobs) as ex:
            futs = [(c, ex.submit(run_case, os.path.join(CASES, c), opts,
                                  server, pg))
                    for c in cases]
            for c, fut in futs:
                try:
                    ok, msgs = fut.result()
                except (CaseError, OSError, ValueError, RuntimeError) as e:
                    ok, msgs = False, [str(e)]
                if ok:
                    passed += 1
                    print("ok     %s" % c[:-5])
                else:
                    failed += 1
                    print("FAILED %s" % c[:-5])
                    for m in msgs:
                        for line in m.splitlines():
                            print("    " + line)
                sys.stdout.flush()
    finally:
        server.stop()
        pg.stop()

    print("# %.1fs" % (time.time() - t0))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(main())
