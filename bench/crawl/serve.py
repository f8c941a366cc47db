#!/usr/bin/env python3
"""Feed server for bench/crawl: every path /fNNNN.xml answers after DELAY
seconds, with ETag and Last-Modified, 304 to matching conditional requests,
and gzip when the client accepts it.  Counts the bytes it sends (headers and
bodies); GET /_stats returns {"requests":..,"bytes":..,"status":{..}} and
POST /_reset zeroes them.  127.0.0.1 only; prints "port N" when ready."""
import email.utils, gzip, http.server, json, os, socketserver, sys, threading, time

ROOT = sys.argv[1]
DELAY = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
LOCK = threading.Lock()
STATS = {"requests": 0, "bytes": 0, "status": {}}
CACHE = {}


def load(name):
    with LOCK:
        if name in CACHE:
            return CACHE[name]
    path = os.path.join(ROOT, name)
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        body = f.read()
    st = os.stat(path)
    ent = (body, gzip.compress(body, 6), '"%x-%x"' % (int(st.st_mtime), len(body)),
           email.utils.formatdate(st.st_mtime, usegmt=True))
    with LOCK:
        CACHE[name] = ent
    return ent


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body, headers):
        head = "HTTP/1.1 %d %s\r\n" % (status, self.responses[status][0])
        head += "".join("%s: %s\r\n" % kv for kv in headers)
        head += "Content-Length: %d\r\n\r\n" % len(body)
        data = head.encode() + body
        self.wfile.write(data)
        with LOCK:
            STATS["requests"] += 1
            STATS["bytes"] += len(data)
            STATS["status"][str(status)] = STATS["status"].get(str(status), 0) + 1

    def do_POST(self):
        if self.path == "/_reset":
            with LOCK:
                STATS.update(requests=0, bytes=0, status={})
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

    def do_GET(self):
        if self.path == "/_stats":
            with LOCK:
                b = json.dumps(STATS).encode()
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(b) + b)
            return
        time.sleep(DELAY)
        ent = load(self.path.lstrip("/"))
        if ent is None:
            self.send(404, b"", [])
            return
        body, gz, etag, lastmod = ent
        hdr = [("ETag", etag), ("Last-Modified", lastmod),
               ("Content-Type", "application/rss+xml")]
        if self.headers.get("If-None-Match") == etag or \
                (not self.headers.get("If-None-Match") and
                 self.headers.get("If-Modified-Since") == lastmod):
            self.send(304, b"", hdr)
            return
        if "gzip" in (self.headers.get("Accept-Encoding") or ""):
            self.send(200, gz, hdr + [("Content-Encoding", "gzip")])
        else:
            self.send(200, body, hdr)


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 256


srv = S(("127.0.0.1", 0), H)
print("port %d" % srv.server_address[1], flush=True)
srv.serve_forever()
