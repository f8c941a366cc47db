#!/usr/bin/env python3
"""Local receivers for alert delivery tests (python3 stdlib only).

  sinks.py webhook --out DIR [--fail-first N] [--status CODE]
                   [--hang-first N] [--redirect URL] [--body-bytes N]
  sinks.py smtp --out DIR [--fail-first N] [--fail-mail N]
                [--starttls [CERTDIR]] [--smtps [CERTDIR]] [--auth USER:PASS]
  both:         [--port-file FILE] [--lifetime S]

Both listen on 127.0.0.1 on a port the system picks, print "port N" as the
first line on stdout (flushed) and, with --port-file, write N and a newline
to FILE (atomically, so a poller never reads half of it).  SIGTERM (and
--lifetime S seconds) stops them cleanly.  This command line is used by
tests/unit/test_deliver.c and by end-to-end cases: keep it stable.

webhook: any method.  Every request is saved, numbered from 0001, as
  DIR/NNNN.json {"method", "path", "headers": {name: value}, "body"} before
  it is answered.  The answer is --status (default 200) with the body "ok",
  except: the first --fail-first N requests get 500 "fail: try again
  later"; the first --hang-first N get no answer for 30 s; --redirect URL
  answers 302 with Location: URL; --body-bytes N makes the body N bytes.

smtp: EHLO/HELO, STARTTLS (with --starttls), AUTH PLAIN and LOGIN (with
  --auth; MAIL is refused with 530 before it), MAIL FROM, RCPT TO, DATA
  (dot-unstuffed), RSET, NOOP, QUIT.  --smtps speaks TLS from the first
  byte (smtps:// URLs).  The certificate is self-signed for localhost and
  127.0.0.1, made at start with the openssl command into CERTDIR
  (cert.pem, key.pem: cert.pem serves as a client's CA file) or into a
  temporary directory removed at exit.  The first --fail-mail N MAIL
  commands get 451; of the messages that reach the end of DATA, the first
  --fail-first N get 451 and are not saved.  An accepted message is saved,
  numbered from 0001, as DIR/NNNN.eml (as received, CRLF, dot-unstuffed)
  and DIR/NNNN.json {"from", "to": [...], "tls", "auth" (user or null),
  "subject", "text"}, the last two decoded by Python's email package (null
  when it cannot).
"""
import argparse
import base64
import email
import email.policy
import http.server
import json
import os
import shutil
import signal
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0  # requests / messages seen, for --fail-first
        self.saved = 0     # files written
        self.mails = 0     # MAIL commands, for --fail-mail

    def next_request(self):
        with self.lock:
            self.requests += 1
            return self.requests

    def next_mail(self):
        with self.lock:
            self.mails += 1
            return self.mails

    def next_file(self):
        with self.lock:
            self.saved += 1
            return self.saved


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
    os.replace(tmp, path)  # a reader polling the dir never sees half a file


# ---- webhook ---------------------------------------------------------------

def make_webhook_handler(opts, counter):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            pass

        def handle_any(self):
            n = counter.next_request()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            headers = {}
            for k, v in self.headers.items():
                headers[k] = v
            k = counter.next_file()
            write_json(os.path.join(opts.out, "%04d.json" % k), {
                "method": self.command,
                "path": self.path,
                "headers": headers,
                "body": body.decode("utf-8", "replace"),
            })
            if n <= opts.hang_first:
                time.sleep(30)
            location = None
            if n <= opts.fail_first:
                code, text = 500, b"fail: try again later\n"
            elif opts.redirect:
                code, text, location = 302, b"moved\n", opts.redirect
            else:
                code, text = opts.status, b"ok"
            if opts.body_bytes:
                text = (text + b"x" * opts.body_bytes)[:opts.body_bytes]
            try:
                self.send_response(code)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)
            except OSError:
                pass  # the client gave up (timeout tests)

        do_POST = do_PUT = do_GET = do_PATCH = do_DELETE = handle_any

    return Handler


def run_webhook(opts):
    counter = Counter()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), make_webhook_handler(opts, counter))
    server.daemon_threads = True
    return server


# ---- SMTP ------------------------------------------------------------------

def make_cert(certdir):
    """A self-signed certificate for localhost and 127.0.0.1, made once."""
    os.makedirs(certdir, exist_ok=True)
    key = os.path.join(certdir, "key.pem")
    crt = os.path.join(certdir, "cert.pem")
    if not (os.path.exists(key) and os.path.exists(crt)):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-days", "2", "-subj", "/CN=localhost",
                        "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", key + ".tmp", "-out", crt + ".tmp"],
                       check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        os.replace(key + ".tmp", key)
        os.replace(crt + ".tmp", crt)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    return ctx


def decode_message(data):
    """(subject, text) as Python's email package reads them, or (None, None)."""
    try:
        data = data.replace(b"\r\n", b"\n")  # text with "\n" line ends
        msg = email.message_from_bytes(data, policy=email.policy.default)
        subject = str(msg["subject"]) if msg["subject"] is not None else None
        return subject, msg.get_content()
    except Exception:  # a malformed message is still saved as .eml
        return None, None


MAX_LINE = 1 << 16
MAX_DATA = 32 << 20


def make_smtp_handler(opts, counter, ctx):
    user = password = None
    if opts.auth:
        user, _, password = opts.auth.partition(":")

    class Handler(socketserver.StreamRequestHandler):
        def send(self, line):
            self.wfile.write(line.encode() + b"\r\n")
            self.wfile.flush()

        def readline(self):
            line = self.rfile.readline(MAX_LINE)
            if not line:
                raise EOFError
            return line

        def reset(self):
            self.mail_from = None
            self.rcpts = []

        def start_tls(self):
            self.request = ctx.wrap_socket(self.request, server_side=True)
            self.rfile = self.request.makefile("rb")
            self.wfile = self.request.makefile("wb")
            self.tls = True

        def handle(self):
            self.tls = False
            self.user = None
            self.reset()
            try:
                if opts.smtps is not None:
                    self.start_tls()
                self.send("220 localhost pcmon test sink ESMTP")
                while self.command():
                    pass
            except (EOFError, OSError, ssl.SSLError):
                pass

        def ehlo(self):
            lines = ["localhost", "8BITMIME", "SIZE %d" % MAX_DATA]
            if opts.starttls is not None and not self.tls:
                lines.append("STARTTLS")
            if user is not None:
                lines.append("AUTH PLAIN LOGIN")
            for i, l in enumerate(lines):
                self.send("250%s%s" % ("-" if i < len(lines) - 1 else " ", l))

        def check_auth(self, u, p):
            if u == user and p == password:
                self.user = u
                self.send("235 2.7.0 authenticated")
            else:
                self.send("535 5.7.8 bad credentials")

        def b64line(self):
            line = self.readline().strip()
            if line == b"*":
                raise ValueError("cancelled")
            return base64.b64decode(line, validate=True).decode("utf-8")

        def auth(self, arg):
            parts = arg.split()
            if user is None or not parts:
                self.send("502 5.5.1 not available")
                return
            if self.user is not None:
                self.send("503 5.5.1 already authenticated")
                return
            mech = parts[0].upper()
            try:
                if mech == "PLAIN":
                    if len(parts) > 1:
                        raw = base64.b64decode(parts[1], validate=True)
                    else:
                        self.send("334 ")
                        line = self.readline().strip()
                        raw = base64.b64decode(line, validate=True)
                    _, u, p = raw.decode("utf-8").split("\0")
                    self.check_auth(u, p)
                elif mech == "LOGIN":
                    if len(parts) > 1:
                        u = base64.b64decode(parts[1], validate=True).decode()
                    else:
                        self.send("334 VXNlcm5hbWU6")
                        u = self.b64line()
                    self.send("334 UGFzc3dvcmQ6")
                    p = self.b64line()
                    self.check_auth(u, p)
                else:
                    self.send("504 5.5.4 mechanism not supported")
            except (ValueError, UnicodeDecodeError):
                self.send("501 5.5.2 cannot decode")

        def data(self):
            if self.mail_from is None or not self.rcpts:
                self.send("503 5.5.1 need MAIL and RCPT first")
                return
            self.send("354 end with <CRLF>.<CRLF>")
            chunks, size = [], 0
            while True:
                line = self.readline()
                if line in (b".\r\n", b".\n"):
                    break
                if line.startswith(b"."):
                    line = line[1:]  # dot-unstuffing (RFC 5321 4.5.2)
                size += len(line)
                if size <= MAX_DATA:
                    chunks.append(line)
            body = b"".join(chunks)
            n = counter.next_request()
            if size > MAX_DATA:
                self.send("552 5.3.4 message too big")
            elif n <= opts.fail_first:
                self.send("451 4.3.0 try again later")
            else:
                k = counter.next_file()
                base = os.path.join(opts.out, "%04d" % k)
                with open(base + ".eml", "wb") as f:
                    f.write(body)
                subject, text = decode_message(body)
                write_json(base + ".json", {
                    "from": self.mail_from, "to": self.rcpts,
                    "tls": self.tls, "auth": self.user,
                    "subject": subject, "text": text,
                })
                self.send("250 2.0.0 queued as %04d" % k)
            self.reset()

        @staticmethod
        def address(arg, prefix):
            if not arg.upper().startswith(prefix):
                return None
            rest = arg[len(prefix):].strip()
            if not rest.startswith("<") or ">" not in rest:
                return None
            return rest[1:rest.index(">")]

        def command(self):
            line = self.readline().decode("utf-8", "replace").rstrip("\r\n")
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self.reset()
                self.ehlo()
            elif verb == "HELO":
                self.reset()
                self.send("250 localhost")
            elif verb == "STARTTLS":
                if opts.starttls is None or self.tls:
                    self.send("502 5.5.1 not available")
                    return True
                self.send("220 2.0.0 ready to start TLS")
                self.start_tls()
                self.user = None
                self.reset()
            elif verb == "AUTH":
                self.auth(arg)
            elif verb == "MAIL":
                a = self.address(arg, "FROM:")
                if user is not None and self.user is None:
                    self.send("530 5.7.0 authentication required")
                elif counter.next_mail() <= opts.fail_mail:
                    self.send("451 4.3.0 try again later (MAIL)")
                elif a is None:
                    self.send("501 5.5.4 syntax: MAIL FROM:<address>")
                else:
                    self.reset()
                    self.mail_from = a
                    self.send("250 2.1.0 ok")
            elif verb == "RCPT":
                a = self.address(arg, "TO:")
                if self.mail_from is None:
                    self.send("503 5.5.1 need MAIL first")
                elif not a:
                    self.send("501 5.5.4 syntax: RCPT TO:<address>")
                else:
                    self.rcpts.append(a)
                    self.send("250 2.1.5 ok")
            elif verb == "DATA":
                self.data()
            elif verb == "RSET":
                self.reset()
                self.send("250 2.0.0 ok")
            elif verb == "NOOP":
                self.send("250 2.0.0 ok")
            elif verb == "QUIT":
                self.send("221 2.0.0 bye")
                return False
            else:
                self.send("500 5.5.2 unknown command")
            return True

    return Handler


def run_smtp(opts, tmpdir):
    ctx = None
    if opts.starttls is not None or opts.smtps is not None:
        ctx = make_cert(opts.starttls or opts.smtps or tmpdir)
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    server = socketserver.ThreadingTCPServer(
        ("127.0.0.1", 0), make_smtp_handler(opts, Counter(), ctx))
    server.daemon_threads = True
    return server


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="kind", required=True)
    w = sub.add_parser("webhook")
    w.add_argument("--out", required=True)
    w.add_argument("--fail-first", type=int, default=0)
    w.add_argument("--status", type=int, default=200)
    w.add_argument("--hang-first", type=int, default=0)
    w.add_argument("--redirect", metavar="URL")
    w.add_argument("--body-bytes", type=int, default=0)
    s = sub.add_parser("smtp")
    s.add_argument("--out", required=True)
    s.add_argument("--fail-first", type=int, default=0)
    s.add_argument("--fail-mail", type=int, default=0)
    s.add_argument("--starttls", nargs="?", const="", metavar="CERTDIR")
    s.add_argument("--smtps", nargs="?", const="", metavar="CERTDIR")
    s.add_argument("--auth", metavar="USER:PASS")
    for p in (w, s):
        p.add_argument("--port-file", metavar="FILE")
        # end-to-end cases start sinks in the background: they stop
        # themselves even when the case fails before it kills them
        p.add_argument("--lifetime", type=int, default=0,
                       help="exit after this many seconds (0: never)")
    opts = ap.parse_args()
    os.makedirs(opts.out, exist_ok=True)

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    if opts.lifetime > 0:
        signal.signal(signal.SIGALRM, on_term)
        signal.alarm(opts.lifetime)
    tmpdir = tempfile.mkdtemp(prefix="pcmon-sink-")
    server = None
    try:
        if opts.kind == "webhook":
            server = run_webhook(opts)
        else:
            server = run_smtp(opts, tmpdir)
        port = server.server_address[1]
        if opts.port_file:
            with open(opts.port_file + ".tmp", "w") as f:
                f.write("%d\n" % port)
            os.replace(opts.port_file + ".tmp", opts.port_file)
        print("port %d" % port, flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if server:
            server.server_close()
        shutil.rmtree(tmpdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
