#!/usr/bin/env python3
"""Writes N feed documents (RSS 2.0 and Atom, 20-50 items of 300-900 bytes,
fixed seed) to DIR/fNNNN.xml for bench/crawl."""
import os, random, sys
from email.utils import formatdate

out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(2026)
W = ("police cooperation ministry security agreement training patrol station "
     "overseas interpol europol extradition court minister border joint "
     "operation network fraud report investigation embassy officials city "
     "market election weather league season bank trade port rail").split()
os.makedirs(out, exist_ok=True)


def words(k):
    return " ".join(rnd.choice(W) for _ in range(k))


for i in range(n):
    items = rnd.randint(20, 50)
    t0 = 1790000000 - rnd.randint(0, 86400)
    atom = i % 4 == 3
    parts = []
    if atom:
        parts.append('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>Feed %d</title><id>urn:feed:%d</id><updated>2026-09-21T00:00:00Z</updated><link href="https://f%04d.example/"/>\n' % (i, i, i))
    else:
        parts.append('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Feed %d</title><link>https://f%04d.example/</link><description>bench</description>\n' % (i, i))
    for j in range(items):
        t = t0 - j * rnd.randint(600, 7200)
        title, desc = words(rnd.randint(6, 12)), words(rnd.randint(40, 120))
        if atom:
            parts.append('<entry><title>%s</title><id>urn:%d:%d</id><link href="https://f%04d.example/%d"/><updated>2026-09-20T%02d:00:00Z</updated><summary type="html">&lt;p&gt;%s&lt;/p&gt;</summary></entry>\n' % (title, i, j, i, j, j % 24, desc))
        else:
            parts.append('<item><title>%s</title><link>https://f%04d.example/%d</link><guid>f%d-%d</guid><pubDate>%s</pubDate><description><![CDATA[<p>%s</p>]]></description></item>\n' % (title, i, j, i, j, formatdate(t, usegmt=True), desc))
    parts.append("</feed>\n" if atom else "</channel></rss>\n")
    with open(os.path.join(out, "f%04d.xml" % i), "w") as f:
        f.write("".join(parts))
