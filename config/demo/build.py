#!/usr/bin/env python3
"""Render the offline demo items (items.jsonl) into monthly feed snapshots.

    python3 config/demo/build.py

Reads items.jsonl next to this script and writes, for each of the twelve
fictional outlets, one feed document per month

    feeds/<outlet>/2026-07.xml ... feeds/<outlet>/2026-10.xml

plus feeds.opml listing the outlets. Python 3 standard library only; the
output is deterministic (no clock, no randomness): the same items.jsonl
always gives byte-identical files.

Formats follow what real outlets publish: RSS 2.0 (some with
content:encoded and dc:creator), Atom 1.0 and one RSS 1.0 (RDF) feed. One
RSS feed (farosur) is encoded in ISO-8859-1; characters outside Latin-1 are
written there as numeric character references. All other files are UTF-8.
"""
import json
import os
import shutil
import sys
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
ITEMS = os.path.join(HERE, "items.jsonl")
FEEDS = os.path.join(HERE, "feeds")
OPML = os.path.join(HERE, "feeds.opml")
MONTHS = ["2026-07", "2026-08", "2026-09", "2026-10"]

# Time-zone rules for outlets that stamp local times (fixed offsets in minutes).
def tz_utc(dt):
    return 0

def tz_europe(dt):  # CEST until the last Sunday of October 2026, then CET
    return 60 if dt >= datetime(2026, 10, 25, 1, 0, tzinfo=timezone.utc) else 120

def tz_chile(dt):  # Chile: UTC-4 until the first Sunday of September 2026
    return -180 if dt >= datetime(2026, 9, 6, 4, 0, tzinfo=timezone.utc) else -240

def fixed(minutes):
    return lambda dt: minutes

# Outlet metadata. The domain of every outlet is <slug>.example (reserved TLD).
# fmt: rss2 | atom | rdf.  Options for rss2: creators (dc:creator names),
# content ("cdata" or "escaped" content:encoded), html_desc (description
# carries escaped HTML), guid ("link" = permalink, "tag" = opaque id).
OUTLETS = {
    "harbourwire": dict(
        title="Harbour Wire", lang="en", feed_lang="en-us", fmt="rss2", tz=tz_utc,
        category="demo,wire,world",
        description="Breaking news, business and sport from the Harbour Wire desk.",
        creators=["Mara Lindqvist", "Tomas Okafor", "Priya Raman", "Daniel Kerr",
                  "Harbour Wire staff"],
        content="cdata", guid="link"),
    "meridiandispatch": dict(
        title="Meridian Dispatch", lang="en", feed_lang="en", fmt="atom", tz=tz_utc,
        category="demo,international",
        description="International news and analysis.",
        author="Meridian Dispatch newsroom"),
    "continentalledger": dict(
        title="The Continental Ledger", lang="en", feed_lang="en-gb", fmt="rss2",
        tz=tz_utc, category="demo,europe,policy",
        description="European politics, business and security.", guid="tag"),
    "pacifictidings": dict(
        title="Pacific Tidings", lang="en", feed_lang="en", fmt="rdf", tz=fixed(720),
        category="demo,pacific,asia-pacific",
        description="News from the Pacific Islands, Australia and New Zealand."),
    "huaxun": dict(
        title="华讯观察", lang="zh", feed_lang="zh-cn", fmt="rss2", tz=fixed(480),
        category="demo,china,chinese-language",
        description="华讯观察：国内外要闻、财经、体育。", guid="tag", html_desc=True),
    "straitsmorning": dict(
        title="海峽晨報", lang="zh", feed_lang="zh-TW", fmt="atom", tz=fixed(480),
        category="demo,taiwan,chinese-language",
        description="海峽晨報即時新聞：兩岸、國際、財經、體育。",
        author="海峽晨報編輯部"),
    "farosur": dict(
        title="El Faro Austral", lang="es", feed_lang="es-cl", fmt="rss2", tz=tz_chile,
        category="demo,latam,spanish-language",
        description="Noticias de Chile, Argentina y el Cono Sur.", guid="tag",
        encoding="iso-8859-1"),
    "leguetteur": dict(
        title="Le Guetteur", lang="fr", feed_lang="fr-fr", fmt="rss2", tz=tz_europe,
        category="demo,europe,french-language",
        description="L'actualité en France et dans le monde.",
        creators=["Claire Vasseur", "Julien Marchand", "Nadia Benali", "La rédaction"],
        guid="link"),
    "corrieredelmolo": dict(
        title="Corriere del Molo", lang="it", feed_lang="it", fmt="atom", tz=tz_europe,
        category="demo,europe,italian-language",
        description="Notizie dall'Italia e dal mondo.", author="Redazione"),
    "rheinlot": dict(
        title="Rheinlot Nachrichten", lang="de", feed_lang="de-de", fmt="rss2",
        tz=tz_utc, category="demo,europe,german-language",
        description="Nachrichten aus Deutschland, Österreich und der Welt.",
        content="escaped", guid="tag"),
    "correioestuario": dict(
        title="Correio do Estuário", lang="pt", feed_lang="pt-pt", fmt="rss2",
        tz=tz_europe, category="demo,europe,portuguese-language",
        description="Notícias de Portugal, do Brasil e do mundo lusófono.",
        guid="link", html_desc=True),
    "wartaselat": dict(
        title="Warta Selat", lang="id", feed_lang="id", fmt="atom", tz=fixed(420),
        category="demo,asia-pacific,indonesian-language",
        description="Berita terkini Indonesia dan Asia Tenggara.", author="Redaksi"),
}

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
        "Nov", "Dec"]


def domain(slug):
    return slug + ".example"


def parse_date(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def local(dt, o):
    off = o["tz"](dt)
    return dt.astimezone(timezone(timedelta(minutes=off))), off


def rfc822(dt, o):
    """RFC 822 date; GMT for UTC outlets, numeric offset for the others."""
    lt, off = local(dt, o)
    zone = "GMT" if o["tz"] is tz_utc else "%+03d%02d" % (off // 60 if off >= 0 else -(-off // 60), abs(off) % 60)
    return "%s, %02d %s %04d %02d:%02d:%02d %s" % (
        DAYS[lt.weekday()], lt.day, MONS[lt.month - 1], lt.year, lt.hour, lt.minute,
        lt.second, zone)


def rfc3339(dt, o):
    lt, off = local(dt, o)
    if off == 0:
        return lt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return lt.strftime("%Y-%m-%dT%H:%M:%S") + "%s%02d:%02d" % (
        "+" if off >= 0 else "-", abs(off) // 60, abs(off) % 60)


def esc(s):
    return escape(s)


def attr(s):
    return escape(s, {'"': "&quot;"})


def guid_tag(slug, it):
    return "%s-%s-%s" % (slug, it["date"][:10].replace("-", ""),
                         it["link"].rstrip("/").rsplit("/", 1)[-1].split(".")[0][:40])


def pick(seq, key):
    return seq[sum(key.encode("utf-8")) % len(seq)]


def summary_html(it):
    return "<p>%s</p>" % esc(it["summary"])


def render_rss2(slug, o, items, month_end):
    ns = ['xmlns:atom="http://www.w3.org/2005/Atom"']
    if o.get("creators"):
        ns.append('xmlns:dc="http://purl.org/dc/elements/1.1/"')
    if o.get("content"):
        ns.append('xmlns:content="http://purl.org/rss/1.0/modules/content/"')
    home = "https://%s/" % domain(slug)
    built = parse_date(items[0]["date"]) if items else month_end
    out = ['<?xml version="1.0" encoding="%s"?>' % o.get("encoding", "UTF-8").upper(),
           '<rss version="2.0" %s>' % " ".join(ns),
           "  <channel>",
           "    <title>%s</title>" % esc(o["title"]),
           "    <link>%s</link>" % esc(home),
           "    <description>%s</description>" % esc(o["description"]),
           "    <language>%s</language>" % o["feed_lang"],
           "    <lastBuildDate>%s</lastBuildDate>" % rfc822(built, o),
           '    <atom:link href="%sfeed" rel="self" type="application/rss+xml"/>' % attr(home),
           "    <ttl>30</ttl>"]
    for it in items:
        dt = parse_date(it["date"])
        out.append("    <item>")
        out.append("      <title>%s</title>" % esc(it["title"]))
        out.append("      <link>%s</link>" % esc(it["link"]))
        if o.get("html_desc"):
            out.append("      <description>%s</description>" % esc(summary_html(it)))
        else:
            out.append("      <description>%s</description>" % esc(it["summary"]))
        if o.get("content") == "cdata":
            html = '%s<p><a href="%s">Read the full story at %s</a></p>' % (
                summary_html(it), attr(it["link"]), esc(o["title"]))
            out.append("      <content:encoded><![CDATA[%s]]></content:encoded>" % html)
        elif o.get("content") == "escaped":
            html = '<p><strong>%s</strong></p>%s' % (esc(it["title"]), summary_html(it))
            out.append("      <content:encoded>%s</content:encoded>" % esc(html))
        if o.get("creators"):
            out.append("      <dc:creator>%s</dc:creator>" % esc(pick(o["creators"], it["link"])))
        if o.get("guid") == "link":
            out.append('      <guid isPermaLink="true">%s</guid>' % esc(it["link"]))
        else:
            out.append('      <guid isPermaLink="false">%s</guid>' % esc(guid_tag(slug, it)))
        out.append("      <pubDate>%s</pubDate>" % rfc822(dt, o))
        out.append("    </item>")
    out += ["  </channel>", "</rss>", ""]
    return "\n".join(out)


def render_atom(slug, o, items, month_end):
    home = "https://%s/" % domain(slug)
    built = parse_date(items[0]["date"]) if items else month_end
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="%s">' % o["feed_lang"],
           "  <id>tag:%s,2026:feed</id>" % domain(slug),
           '  <title type="text">%s</title>' % esc(o["title"]),
           '  <subtitle type="text">%s</subtitle>' % esc(o["description"]),
           '  <link rel="alternate" type="text/html" href="%s"/>' % attr(home),
           '  <link rel="self" type="application/atom+xml" href="%sfeed"/>' % attr(home),
           "  <updated>%s</updated>" % rfc3339(built, o),
           "  <author><name>%s</name></author>" % esc(o["author"])]
    for it in items:
        dt = parse_date(it["date"])
        out.append("  <entry>")
        out.append("    <id>tag:%s,%s:%s</id>" % (domain(slug), it["date"][:10],
                                                  it["link"].split("/", 3)[3]))
        out.append('    <title type="text">%s</title>' % esc(it["title"]))
        out.append('    <link rel="alternate" type="text/html" href="%s"/>' % attr(it["link"]))
        out.append("    <published>%s</published>" % rfc3339(dt, o))
        out.append("    <updated>%s</updated>" % rfc3339(dt, o))
        out.append('    <summary type="html">%s</summary>' % esc(summary_html(it)))
        out.append("  </entry>")
    out += ["</feed>", ""]
    return "\n".join(out)


def render_rdf(slug, o, items, month_end):
    home = "https://%s/" % domain(slug)
    built = parse_date(items[0]["date"]) if items else month_end
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
           ' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">',
           '  <channel rdf:about="%sfeed">' % attr(home),
           "    <title>%s</title>" % esc(o["title"]),
           "    <link>%s</link>" % esc(home),
           "    <description>%s</description>" % esc(o["description"]),
           "    <dc:language>%s</dc:language>" % o["feed_lang"],
           "    <dc:date>%s</dc:date>" % rfc3339(built, o),
           "    <items>",
           "      <rdf:Seq>"]
    out += ['        <rdf:li rdf:resource="%s"/>' % attr(it["link"]) for it in items]
    out += ["      </rdf:Seq>", "    </items>", "  </channel>"]
    for it in items:
        dt = parse_date(it["date"])
        out.append('  <item rdf:about="%s">' % attr(it["link"]))
        out.append("    <title>%s</title>" % esc(it["title"]))
        out.append("    <link>%s</link>" % esc(it["link"]))
        out.append("    <description>%s</description>" % esc(it["summary"]))
        out.append("    <dc:date>%s</dc:date>" % rfc3339(dt, o))
        out.append("  </item>")
    out += ["</rdf:RDF>", ""]
    return "\n".join(out)


RENDER = {"rss2": render_rss2, "atom": render_atom, "rdf": render_rdf}


def render_opml():
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           "<!--",
           "  pcmon offline demo: the twelve FICTIONAL outlets of config/demo/items.jsonl",
           "  (generated by config/demo/build.py). The .example domains do not resolve;",
           "  the demo maps each outlet (the domain without .example) to its monthly",
           "  snapshots config/demo/feeds/<outlet>/2026-MM.xml.",
           "-->",
           '<opml version="2.0">',
           "  <head>",
           "    <title>pcmon demo outlets (fictional)</title>",
           "    <dateCreated>Sat, 31 Oct 2026 23:59:59 GMT</dateCreated>",
           "    <ownerName>pcmon demo</ownerName>",
           "  </head>",
           "  <body>"]
    for slug, o in OUTLETS.items():
        out.append('    <outline type="rss" text="%s" title="%s" xmlUrl="https://%s/feed" '
                   'htmlUrl="https://%s/" language="%s" category="%s"/>' % (
                       attr(o["title"]), attr(o["title"]), domain(slug), domain(slug),
                       o["lang"], attr(o["category"])))
    out += ["  </body>", "</opml>", ""]
    return "\n".join(out)


def main():
    items = []
    with open(ITEMS, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            it = json.loads(line)
            o = OUTLETS.get(it["outlet"])
            if o is None:
                sys.exit("items.jsonl:%d: unknown outlet %r" % (n, it["outlet"]))
            if it["lang"] != o["lang"]:
                sys.exit("items.jsonl:%d: lang %r, outlet is %r" % (n, it["lang"], o["lang"]))
            if not it["link"].startswith("https://%s/" % domain(it["outlet"])):
                sys.exit("items.jsonl:%d: link outside the outlet's domain" % n)
            if it["date"][:7] not in MONTHS:
                sys.exit("items.jsonl:%d: date %s outside the demo period" % (n, it["date"]))
            parse_date(it["date"])
            items.append(it)

    if os.path.isdir(FEEDS):
        shutil.rmtree(FEEDS)
    written = []
    for slug, o in OUTLETS.items():
        os.makedirs(os.path.join(FEEDS, slug))
        for ym in MONTHS:
            y, m = int(ym[:4]), int(ym[5:])
            month_end = datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=timezone.utc) - timedelta(seconds=1)
            sel = [it for it in items if it["outlet"] == slug and it["date"].startswith(ym)]
            sel.sort(key=lambda it: (it["date"], it["link"]), reverse=True)  # newest first
            text = RENDER[o["fmt"]](slug, o, sel, month_end)
            data = text.encode(o.get("encoding", "utf-8"), "xmlcharrefreplace")
            path = os.path.join(FEEDS, slug, ym + ".xml")
            with open(path, "wb") as f:
                f.write(data)
            written.append((os.path.relpath(path, HERE), len(sel)))
    with open(OPML, "w", encoding="utf-8", newline="\n") as f:
        f.write(render_opml())
    for path, n in written:
        print("%-40s %3d items" % (path, n))
    print("feeds.opml: %d outlets; %d items in %d files" % (len(OUTLETS), len(items), len(written)))


if __name__ == "__main__":
    main()
