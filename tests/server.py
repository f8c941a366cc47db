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
      grow=N         a feed that gains one item at every GET (item K of the
                     route is published by its K-th GET, guid PATH#K) and
                     answers with its newest N items: the changing feeds of
                     the crash-consistency test, which counts the GETs in
                     the log to know what was published; start=K: K
                     items published before the first GET (benchmarks)
    Hostile servers, bodies generated on the fly and streamed (never held):
      bomb=BYTES     gzip body (Content-Encoding: gzip, close-delimited) that
                     inflates to BYTES zero bytes; ~1 KiB on the wire per MiB,
                     so bomb=10737418240 is 10 GB from a 10 MB stream
      chunked_forever=1  Transfer-Encoding: chunked, a small chunk every
                     0.1 s until the client goes away
      big_header=BYTES   one response header line ("X-Big: aaa...") of
                     BYTES bytes, CRLF included
      size=BYTES     a body of BYTES bytes (an RSS head, XML comment padding,
                     the closing tags) with Content-Length
      items=N        an RSS 2.0 feed of N items, chunked; item_bytes=M gives
                     each about M bytes of description (default 100)
      nest=N         an RSS 2.0 feed with an item, then N elements nested in
                     one another (streamed), then another item
      nolength=1     with size, items or nest: no Content-Length and no chunking,
                     the body ends when the connection closes
      accept_only=1  accept the connection and never read the request (it
                     is only peeked at to find the route) nor answer
    hang and accept_only hold the connection until the client closes it.
    A client going away mid-response never disturbs the server; each
    connection has its own thread, so a hanging route blocks nothing else.
GET /_control/log?case=NAME returns the requests seen for that case as JSON:
{"method", "path", "headers", "time"} per request (time: when the request
arrived, Unix seconds) and "end" once its answer is over (sent, or the client
gone).
"""

import argparse
import email.utils
import gzip
import http.server
import json
import os
import select
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse
import zlib

ROUTES = {}
LOG = {}
LOCK = threading.Lock()
ROOT = "."

# errors of a client that went away; never the server's concern
GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError,
        socket.timeout, TimeoutError)


def _bomb_pieces():
    """One MiB of zeros as a byte-aligned gzip piece (a full flush resets
    the window, so the piece can be repeated), and the gzip header."""
    zeros = bytes(1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    piece = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    assert first.endswith(piece) and len(first) - len(piece) == 10
    return first[:10], piece, zeros


BOMB_HEADER, BOMB_PIECE, MIB_ZEROS = _bomb_pieces()

RSS_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<rss version="2.0"><channel><title>generated</title>'
            b'<link>http://example.org/</link><description>generated for '
            b'pcmon tests</description>\n')
RSS_TAIL = b"</channel></rss>\n"


def size_chunks(total):
    """total bytes: RSS head, comment padding, tail (cut when too small)."""
    if total <= len(RSS_HEAD) + len(RSS_TAIL) + 7:
        yield (RSS_HEAD + RSS_TAIL + b" " * total)[:total]
        return
    yield RSS_HEAD
    left = total - len(RSS_HEAD) - len(RSS_TAIL)
    line = b"<!-- " + b"padding " * 8187 + b"-->\n"   # 65,510 bytes
    while left > 0:
        if left >= len(line):
            yield line
            left -= len(line)
        elif left >= 8:
            yield b"<!--" + b"p" * (left - 8) + b"-->\n"
            left = 0
        else:
            yield b"\n" * left
            left = 0
    yield RSS_TAIL


def item_chunks(n, item_bytes):
    """An RSS 2.0 feed of n items of about item_bytes of description."""
    word = b"lorem ipsum dolor sit amet "
    desc = (word * (item_bytes // len(word) + 1))[:item_bytes]
    yield RSS_HEAD
    batch = []
    size = 0
    for i in range(n):
        it = (b"<item><title>Item %d</title>"
              b"<link>http://example.org/item/%d</link>"
              b'<guid isPermaLink="false">item-%d</guid>'
              b"<pubDate>Mon, 02 Jan 2006 15:04:05 GMT</pubDate>"
              b"<description>" % (i, i, i))
        batch += [it, desc, b"</description></item>\n"]
        size += len(it) + len(desc) + 22
        if size >= 65536:
            yield b"".join(batch)
            batch, size = [], 0
    if batch:
        yield b"".join(batch)
    yield RSS_TAIL


GROW_WORDS = ("police", "treaty", "station", "patrol", "training", "ministry",
              "interpol", "embassy", "harbour", "election", "football",
              "drought", "vaccine", "railway", "festival", "satellite")


def grow_feed(path, window, published):
    """The newest window of the published items of a grow route: item k
    has guid PATH#k, a title of words picked by k, and is k minutes newer
    than item k-1."""
    now = int(time.time())
    out = [RSS_HEAD]
    for k in range(published, max(0, published - window), -1):
        words = " ".join(GROW_WORDS[(k * m + m) % len(GROW_WORDS)]
                         for m in (1, 3, 5, 7))
        when = email.utils.formatdate(now - (published - k) * 60, usegmt=True)
        out.append(("<item><title>%s %d %s</title>"
                    "<link>http://grow.example%s/%d</link>"
                    '<guid isPermaLink="false">%s#%d</guid>'
                    "<pubDate>%s</pubDate>"
                    "<description>Report %d of %s about %s.</description>"
                    "</item>\n" % (words, k, path, path, k, path, k, when, k,
                                   path, words)).encode())
    out.append(RSS_TAIL)
    return b"".join(out)


def nest_chunks(depth):
    """An item, depth nested elements, another item (chunked)."""
    yield RSS_HEAD
    yield (b"<item><title>Before the nest</title>"
           b'<guid isPermaLink="false">nest-before</guid></item>\n')
    step = 8192
    for i in range(0, depth, step):
        yield b"<n>" * min(step, depth - i)
    for i in range(0, depth, step):
        yield b"</n>" * min(step, depth - i)
    yield (b"<item><title>After the nest</title>"
           b'<guid isPermaLink="false">nest-after</guid></item>\n')
    yield RSS_TAIL


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pcmon-test/1"

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        # headers and body go out in separate writes: without this, Nagle
        # and delayed ACKs add 40 ms to every answer
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self):
        try:
            super().handle()
        except GONE:
            self.close_connection = True

    def finish(self):
        try:
            super().finish()
        except (OSError, ValueError):
            pass

    def handle_one_request(self):
        # accept_only routes must not consume the request: peek at it
        if self._peek_accept_only():
            self.close_connection = True
            return
        super().handle_one_request()

    def _peek_accept_only(self):
        with LOCK:
            if not any(r.get("accept_only") for r in ROUTES.values()):
                return False
        data = b""
        deadline = time.time() + 5
        while b"\r\n" not in data and time.time() < deadline:
            try:
                data = self.connection.recv(65536, socket.MSG_PEEK)
            except OSError:
                return False
            if not data:
                return False
            if b"\r\n" not in data:
                time.sleep(0.01)
        parts = data.split(b"\r\n", 1)[0].split(b" ")
        if len(parts) < 2:
            return False
        path = urllib.parse.urlsplit(parts[1].decode("latin-1")).path
        with LOCK:
            route = ROUTES.get(path)
            if not route or not route.get("accept_only"):
                return False
            entry = self._log_request(path, parts[0].decode("latin-1"),
                                      parts[1].decode("latin-1"), {})
        self._wait_client_gone(peek=True)
        self._log_end(entry)
        return True

    def _wait_client_gone(self, peek=False, limit=3600):
        """Holds the connection, answering nothing, until the client closes
        it (or limit seconds pass).  With peek the request stays unread."""
        end = time.time() + limit
        sock = self.connection
        p = select.poll()
        p.register(sock, select.POLLIN | select.POLLRDHUP)
        while time.time() < end:
            try:
                ev = p.poll(200)
                if not ev:
                    continue
                flags = ev[0][1]
                if flags & (select.POLLRDHUP | select.POLLHUP |
                            select.POLLERR | select.POLLNVAL):
                    return
                if peek:
                    time.sleep(0.2)     # unread bytes keep it readable
                elif not sock.recv(65536):
                    return
            except OSError:
                return

    def _log_request(self, path, method, raw_path, headers):
        """Call with LOCK held; returns the log entry or None."""
        case = path.split("/")[1] if path.count("/") > 1 else ""
        if case not in LOG:
            return None
        entry = {"method": method, "path": raw_path, "headers": headers,
                 "time": time.time()}
        LOG[case].append(entry)
        return entry

    @staticmethod
    def _log_end(entry):
        if entry is not None:
            with LOCK:
                entry["end"] = time.time()

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

    def _send_stream(self, status, headers, chunks, length=None,
                     nolength=False):
        """Streams the byte strings of chunks: with Content-Length when
        length is given, else chunked, else (nolength) close-delimited."""
        chunked = length is None and not nolength
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if length is not None and not nolength:
            self.send_header("Content-Length", str(length))
        elif chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command == "HEAD":
            return
        for c in chunks:
            if not c:
                continue
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(c), c))
            else:
                self.wfile.write(c)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

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
            entry = self._log_request(url.path, self.command, self.path,
                                      dict(self.headers.items()))
            if route is not None and route.get("grow") and \
                    self.command == "GET":
                route["_published"] = route.get(
                    "_published", int(route.get("start", 0))) + 1
                self.grown = route["_published"]
        try:
            if route is None:
                self._send(404, b"not found\n", [("Content-Type", "text/plain")])
                return
            self.serve_route(route)
        except GONE:
            self.close_connection = True
        finally:
            self._log_end(entry)

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
        if r.get("hang") or r.get("accept_only"):
            self._wait_client_gone()
            self.close_connection = True
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
        if r.get("big_header"):
            headers.append(("X-Big", "a" * max(0, int(r["big_header"]) - 9)))
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
        nolength = bool(r.get("nolength"))
        if r.get("bomb"):
            self.serve_bomb(status, headers, int(r["bomb"]))
            return
        if r.get("chunked_forever"):
            self.serve_chunked_forever(status, headers)
            return
        if r.get("size"):
            total = int(r["size"])
            self._send_stream(status, headers, size_chunks(total), total,
                              nolength)
            return
        if r.get("grow"):
            self._send(status, grow_feed(urllib.parse.urlsplit(self.path).path,
                                         int(r["grow"]), self.grown), headers)
            return
        if r.get("nest"):
            self._send_stream(status, headers, nest_chunks(int(r["nest"])),
                              None, nolength)
            return
        if r.get("items"):
            self._send_stream(status, headers,
                              item_chunks(int(r["items"]),
                                          int(r.get("item_bytes", 100))),
                              None, nolength)
            return
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

    def serve_bomb(self, status, headers, total):
        """total zero bytes, gzip'd piece by piece; close-delimited."""
        headers = headers + [("Content-Encoding", "gzip")]

        def chunks():
            crc = 0
            yield BOMB_HEADER
            left = total
            while left >= len(MIB_ZEROS):
                yield BOMB_PIECE
                crc = zlib.crc32(MIB_ZEROS, crc)
                left -= len(MIB_ZEROS)
            # the rest, and the final block, as a fresh raw deflate stream:
            # after a full flush the window is empty and the stream aligned
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            tail = bytes(left)
            crc = zlib.crc32(tail, crc)
            yield c.compress(tail) + c.flush(zlib.Z_FINISH)
            yield struct.pack("<II", crc & 0xffffffff, total & 0xffffffff)
        self._send_stream(status, headers, chunks(), None, True)

    def serve_chunked_forever(self, status, headers):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        first = RSS_HEAD
        self.wfile.write(b"%x\r\n%s\r\n" % (len(first), first))
        self.wfile.flush()
        n = 0
        while True:
            c = b"<!-- %d -->\n" % n
            n += 1
            self.wfile.write(b"%x\r\n%s\r\n" % (len(c), c))
            self.wfile.flush()
            time.sleep(0.1)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # many transfers connect at once in the concurrency tests
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # a client that went away is not an error of the server
        if isinstance(sys.exc_info()[1], GONE):
            return
        super().handle_error(request, client_address)


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
