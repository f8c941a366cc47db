#!/usr/bin/env python3
"""A real HTTP server on 127.0.0.1 for pcmon's tests (standard library only).

Started by tests/run.py (or by the demo) on a free port; prints "port N" on
stdout once it listens.  Two ways to serve:

  * --root DIR serves files under DIR at /files/PATH (the demo uses this);
  * routes set per test case with POST /_control/routes
    {"case": NAME, "routes": [{"path": "/feed.xml", ...}, ...]}
    are served at /NAME/feed.xml.  Route keys (all optional):
      file=REL       body from SRC/REL        body=TEXT  literal body
      status=N       response status (200)    header="K: V" (list)
      type=MIME      Content-Type (application/rss+xml)
      gzip=1         gzip the body, Content-Encoding: gzip
      etag=V         ETag; If-None-Match: V answers 304
      lastmod=DATE   Last-Modified; If-Modified-Since: DATE answers 304
      redirect=URL   Location (status 302 unless given)
      delay=S        wait S seconds before answering
      rate=N         send the body at N bytes per second
      hang=1         accept, read the request, never answer
      truncate=N     announce the full length, close after N bytes
GET /_control/log?case=NAME returns the requests seen for that case as JSON.
"""

import argparse
import email.utils
import gzip
import http.server
import json
import os
import socketserver
import sys
import threading
import time
import urllib.parse

ROUTES = {}
LOG = {}
LOCK = threading.Lock()
ROOT = "."


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pcmon-test/1"

    def log_message(self, fmt, *args):
        pass

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        names = set()
        for k, v in headers:
            self.send_header(k, v)
            names.add(k.lower())
        if "content-length" not in names:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(n)
        if self.path == "/_control/routes":
            msg = json.loads(data)
            with LOCK:
                case = msg["case"]
                for k in [k for k in ROUTES if k.startswith("/%s/" % case)]:
                    del ROUTES[k]
                for r in msg["routes"]:
                    ROUTES["/%s%s" % (case, r["path"])] = r
                LOG[case] = []
            self._send(200, b"ok\n")
            return
        self._send(405)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_control/log":
            case = urllib.parse.parse_qs(url.query).get("case", [""])[0]
            with LOCK:
                body = json.dumps(LOG.get(case, [])).encode()
            self._send(200, body, [("Content-Type", "application/json")])
            return
        if url.path.startswith("/files/"):
            self.serve_file(url.path[len("/files/"):])
            return
        with LOCK:
            route = ROUTES.get(url.path)
            case = url.path.split("/")[1] if url.path.count("/") > 1 else ""
            if case in LOG:
                LOG[case].append({"method": self.command, "path": self.path,
                                  "headers": dict(self.headers.items()),
                                  "time": time.time()})
        if route is None:
            self._send(404, b"not found\n", [("Content-Type", "text/plain")])
            return
        self.serve_route(route)

    def serve_file(self, rel):
        path = os.path.realpath(os.path.join(ROOT, rel))
        if not path.startswith(os.path.realpath(ROOT) + os.sep) or \
                not os.path.isfile(path):
            self._send(404, b"not found\n")
            return
        with open(path, "rb") as f:
            body = f.read()
        st = os.stat(path)
        lastmod = email.utils.formatdate(st.st_mtime, usegmt=True)
        etag = '"%x-%x"' % (int(st.st_mtime), st.st_size)
        if self.headers.get("If-None-Match") == etag or \
                self.headers.get("If-Modified-Since") == lastmod:
            self._send(304, b"", [("ETag", etag), ("Last-Modified", lastmod)])
            return
        ctype = "application/rss+xml" if path.endswith(".xml") else \
            "application/octet-stream"
        self._send(200, body, [("Content-Type", ctype), ("ETag", etag),
                               ("Last-Modified", lastmod)])

    def serve_route(self, r):
        if r.get("hang"):
            time.sleep(3600)
            return
        if r.get("delay"):
            time.sleep(float(r["delay"]))
        status = int(r.get("status", 200))
        headers = []
        for h in r.get("headers", []):
            k, _, v = h.partition(":")
            headers.append((k.strip(), v.strip()))
        if "redirect" in r:
            if "status" not in r:
                status = 302
            headers.append(("Location", r["redirect"]))
        if "file" in r:
            with open(os.path.join(ROOT, r["file"]), "rb") as f:
                body = f.read()
        else:
            body = r.get("body", "").encode("utf-8")
        etag = r.get("etag")
        lastmod = r.get("lastmod")
        if etag:
            headers.append(("ETag", etag))
        if lastmod:
            headers.append(("Last-Modified", lastmod))
        if status == 200 and ((etag and self.headers.get("If-None-Match") == etag) or
                              (lastmod and not etag and
                               self.headers.get("If-Modified-Since") == lastmod)):
            self._send(304, b"", headers)
            return
        if not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", r.get("type", "application/rss+xml")))
        if r.get("gzip"):
            body = gzip.compress(body)
            headers.append(("Content-Encoding", "gzip"))
        if r.get("truncate"):
            n = int(r["truncate"])
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:n])
            self.wfile.flush()
            self.close_connection = True
            return
        if r.get("rate"):
            rate = max(1, int(r["rate"]))
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for i in range(0, len(body), rate):
                    self.wfile.write(body[i:i + rate])
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:
                pass
            self.close_connection = True
            return
        self._send(status, body, headers)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global ROOT
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--root", default=".")
    opts = ap.parse_args()
    ROOT = os.path.abspath(opts.root)
    srv = Server(("127.0.0.1", opts.port), Handler)
    print("port %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
