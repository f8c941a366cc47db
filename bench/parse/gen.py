#!/usr/bin/env python3
"""gen.py - generate the parser benchmark corpus (python3 stdlib only).

    python3 bench/parse/gen.py [OUTDIR]      (default: bench/out/parse)

Writes OUTDIR/corpus/{small,medium,big}/*.xml and OUTDIR/manifest.tsv.
Deterministic: a fixed seed, a fixed base date, no clock, no hashing of
Python objects; the same script always writes the same bytes.

The text is random combinations of words from small per-language lists (no
real articles).  Formats and features, chosen per file:
  RSS 2.0   content:encoded (CDATA HTML), description (escaped HTML or
            CDATA), dc:creator, category, guid isPermaLink true/false,
            enclosure, media:content, atom:link rel=self, comments
  Atom 1.0  xml:base (feed and entry level) with relative links, summary
            type text/html, content type html / xhtml / text, several
            authors, contributors, categories, rel=enclosure/replies
  RSS 1.0   rdf:RDF, rdf:Seq, dc:date / dc:creator / dc:subject,
            content:encoded
Encodings: mostly UTF-8 (some with a BOM, some without an XML
declaration), some ISO-8859-1 and windows-1252 with a matching XML
declaration.  Dates: RFC 822 (several zone spellings) and RFC 3339.

Sizes: ~600 small files (20-100 KB), 12 medium (1-5 MB), one 1 MB reference
and two big RSS 2.0 files (20 MB, 50 MB) made with the same parameters as
the reference, for the memory-independence check.  Total ~140 MB.
"""
import os
import random
import sys
import datetime

SEED = 20261128
BASE_DATE = datetime.datetime(2026, 11, 28, 12, 0, 0, tzinfo=datetime.timezone.utc)

W = {
 "en": """police europol interpol investigation border agency arrest network
 smuggling drugs cocaine cybercrime ransomware operation joint task force suspects
 court prosecutor extradition warrant trafficking cooperation ministers summit
 security officers seized tonnes port customs authorities fraud money laundering
 criminal organisation raid hundreds countries data sharing agreement minister
 interior justice report analysis intelligence cross-border victims children
 firearms terrorism counter financial investigators coordinated week yesterday
 announced confirmed according officials spokesperson european union national
 regional local international network leaders seized assets millions euros""".split(),
 "fr": """police gendarmerie enquête frontière coopération arrestation réseau
 trafic stupéfiants cocaïne cybercriminalité opération conjointe suspects
 tribunal procureur extradition mandat européen ministres sommet sécurité
 agents saisie tonnes douane autorités fraude blanchiment organisation
 criminelle perquisition centaines pays données échange accord ministre
 intérieur justice rapport analyse renseignement victimes enfants armes
 terrorisme financier enquêteurs coordonnée semaine hier annoncé confirmé
 selon responsables porte-parole union nationale régionale été déjà très
 où ça élève préfecture démantèlement côté numérique""".split(),
 "de": """Polizei Ermittlungen Grenze Zusammenarbeit Festnahme Netzwerk
 Schmuggel Drogen Kokain Cyberkriminalität Einsatz gemeinsame Verdächtige
 Gericht Staatsanwaltschaft Auslieferung Haftbefehl Menschenhandel Minister
 Gipfel Sicherheit Beamte beschlagnahmt Tonnen Hafen Zoll Behörden Betrug
 Geldwäsche kriminelle Organisation Durchsuchung Hunderte Länder Daten
 Austausch Abkommen Innenministerium Justiz Bericht Analyse Opfer Kinder
 Waffen Terrorismus Ermittler koordiniert Woche gestern angekündigt bestätigt
 laut Sprecher Bundeskriminalamt Länder über für Größe Straße Maßnahmen
 Öffentlichkeit Übergabe schließlich zunächst""".split(),
 "es": """policía guardia investigación frontera cooperación detención red
 contrabando drogas cocaína ciberdelincuencia operación conjunta sospechosos
 tribunal fiscal extradición orden trata ministros cumbre seguridad agentes
 incautación toneladas puerto aduanas autoridades fraude blanqueo organización
 criminal registro cientos países datos intercambio acuerdo ministro interior
 justicia informe análisis inteligencia víctimas niños armas terrorismo
 financiero investigadores coordinada semana ayer anunció confirmó según
 portavoz nacional también además año niño señal""".split(),
 "it": """polizia carabinieri indagine frontiera cooperazione arresto rete
 contrabbando droga cocaina criminalità informatica operazione congiunta
 sospettati tribunale procuratore estradizione mandato tratta ministri vertice
 sicurezza agenti sequestro tonnellate porto dogana autorità frode riciclaggio
 organizzazione criminale perquisizione centinaia paesi dati scambio accordo
 interno giustizia rapporto analisi vittime bambini armi terrorismo inquirenti
 coordinata settimana ieri annunciato confermato secondo portavoce città più
 perché già""".split(),
 "pt": """polícia investigação fronteira cooperação detenção rede contrabando
 drogas cocaína cibercrime operação conjunta suspeitos tribunal procurador
 extradição mandado tráfico ministros cimeira segurança agentes apreensão
 toneladas porto alfândega autoridades fraude branqueamento organização
 criminosa buscas centenas países dados partilha acordo ministro justiça
 relatório análise vítimas crianças armas terrorismo investigadores semana
 ontem anunciou confirmou segundo porta-voz nação também""".split(),
 "nl": """politie onderzoek grens samenwerking aanhouding netwerk smokkel
 drugs cocaïne cybercriminaliteit operatie gezamenlijke verdachten rechtbank
 officier uitlevering arrestatiebevel mensenhandel ministers top veiligheid
 agenten inbeslagname ton haven douane autoriteiten fraude witwassen
 criminele organisatie inval honderden landen gegevens uitwisseling akkoord
 justitie rapport analyse slachtoffers kinderen wapens terrorisme rechercheurs
 week gisteren aangekondigd bevestigd volgens woordvoerder""".split(),
 "pl": """policja śledztwo granica współpraca zatrzymanie sieć przemyt
 narkotyki kokaina cyberprzestępczość operacja wspólna podejrzani sąd
 prokurator ekstradycja nakaz handel ministrowie szczyt bezpieczeństwo
 funkcjonariusze zajęto ton port celnicy władze oszustwo pranie organizacja
 przestępcza przeszukanie setki krajów dane wymiana porozumienie minister
 sprawiedliwość raport ofiary dzieci broń terroryzm śledczy tydzień wczoraj
 ogłosił potwierdził według rzecznik""".split(),
 "ru": """полиция расследование граница сотрудничество задержание сеть
 контрабанда наркотики кокаин киберпреступность операция совместная
 подозреваемые суд прокурор экстрадиция ордер торговля министры саммит
 безопасность сотрудники изъято тонн порт таможня власти мошенничество
 отмывание преступная организация обыск сотни стран данные обмен соглашение
 министр юстиция доклад анализ жертвы дети оружие терроризм следователи
 неделя вчера объявил подтвердил согласно представитель""".split(),
 "el": """αστυνομία έρευνα σύνορα συνεργασία σύλληψη δίκτυο λαθρεμπόριο
 ναρκωτικά κοκαΐνη κυβερνοέγκλημα επιχείρηση κοινή ύποπτοι δικαστήριο
 εισαγγελέας έκδοση ένταλμα εμπορία υπουργοί σύνοδος ασφάλεια αστυνομικοί
 κατασχέθηκαν τόνοι λιμάνι τελωνείο αρχές απάτη ξέπλυμα οργάνωση έρευνες
 χώρες δεδομένα ανταλλαγή συμφωνία υπουργός δικαιοσύνη έκθεση θύματα παιδιά
 όπλα τρομοκρατία εβδομάδα χθες ανακοίνωσε επιβεβαίωσε""".split(),
 "tr": """polis soruşturma sınır işbirliği gözaltı şebeke kaçakçılık
 uyuşturucu kokain siber suç operasyon ortak şüpheliler mahkeme savcı iade
 tutuklama kararı insan ticareti bakanlar zirve güvenlik memurlar ele
 geçirildi ton liman gümrük yetkililer dolandırıcılık aklama örgüt baskın
 yüzlerce ülke veri paylaşım anlaşma bakan adalet rapor mağdurlar çocuklar
 silahlar terörizm hafta dün açıkladı doğruladı göre sözcü""".split(),
 "ar": """الشرطة تحقيق الحدود التعاون اعتقال شبكة تهريب المخدرات الكوكايين
 الجرائم الإلكترونية عملية مشتركة المشتبه بهم المحكمة المدعي العام تسليم
 مذكرة الاتجار الوزراء قمة الأمن الضباط ضبط أطنان الميناء الجمارك السلطات
 احتيال غسل الأموال منظمة إجرامية مداهمة مئات الدول البيانات تبادل اتفاق
 وزير الداخلية العدل تقرير الضحايا الأطفال الأسلحة الإرهاب الأسبوع أمس
 أعلن أكد وفقا المتحدث""".split(),
 "zh": """警方 国际刑警组织 欧洲刑警组织 调查 边境 合作 逮捕 网络 走私 毒品
 可卡因 网络犯罪 勒索软件 联合 行动 嫌疑人 法院 检察官 引渡 逮捕令 贩卖
 部长 峰会 安全 警员 缴获 吨 港口 海关 当局 诈骗 洗钱 犯罪组织 搜查 数百
 国家 数据 共享 协议 内政部 司法 报告 分析 情报 受害者 儿童 枪支 恐怖主义
 金融 调查人员 协调 本周 昨天 宣布 证实 据 官员 发言人 欧盟 全国 地区""".split(),
}
LATIN1_LANGS = ["en", "fr", "de", "es", "it", "pt", "nl"]
ALL_LANGS = list(W)
# weights: a European monitoring mix, with some non-Latin scripts
LANG_WEIGHTS = {"en": 30, "fr": 10, "de": 10, "es": 8, "it": 6, "pt": 4, "nl": 4,
                "pl": 4, "ru": 6, "el": 3, "tr": 3, "ar": 4, "zh": 8}
NAMES = ["Anna Schmidt", "Jean-Luc Moreau", "María José García", "Luca Bianchi",
         "Piet van Dijk", "Zofia Nowak", "Ольга Иванова", "王芳", "Ahmed Haddad",
         "João Silva", "Ελένη Παπαδοπούλου", "Ayşe Yılmaz", "Sarah O'Brien",
         "Newsroom", "Staff Writer", "AFP", "dpa", "Reuters Desk"]
SECTIONS = ["world", "europe", "crime", "justice", "security", "politics", "tech",
            "local", "international", "news"]
CATEGORIES = ["Crime", "Europe", "Justice & Home Affairs", "Cybercrime", "Drugs",
              "Terrorism", "Migration", "Police", "Courts", "Interpol", "Europol",
              "Sécurité", "Justiz", "Política", "国际", "Общество"]
WDAY = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
       "Nov", "Dec"]


class Gen:
    def __init__(self, rng, langs):
        self.r = rng
        self.langs = langs
        self.weights = [LANG_WEIGHTS[l] for l in langs]

    def lang(self):
        return self.r.choices(self.langs, self.weights)[0]

    def words(self, lang, lo, hi):
        return self.r.choices(W[lang], k=self.r.randint(lo, hi))

    def sentence(self, lang, lo=6, hi=18):
        ws = self.words(lang, lo, hi)
        if lang == "zh":
            if len(ws) > 6:
                ws.insert(len(ws) // 2, "，")
            return "".join(ws) + "。"
        if len(ws) > 8 and self.r.random() < 0.5:
            ws[len(ws) // 2] += ","
        s = " ".join(ws)
        return s[:1].upper() + s[1:] + "."

    def title(self, lang, enc_ok_curly=True):
        ws = self.words(lang, 4, 11)
        if lang == "zh":
            t = "".join(ws)
        else:
            t = " ".join(ws)
            t = t[:1].upper() + t[1:]
        x = self.r.random()
        if x < 0.08:
            t += " & " + " ".join(self.words("en", 1, 2))
        elif x < 0.14:
            t = "\u201c" + t + "\u201d" if enc_ok_curly else '"' + t + '"'
        elif x < 0.18:
            t = t.replace(" ", " \u2013 ", 1) if enc_ok_curly else t
        elif x < 0.22:
            t += " (<b>update</b>)"   # markup-looking text in a title
        return t

    # HTML fragments.  xml=True: well-formed XHTML (numeric refs only,
    # self-closed empty elements) for Atom type="xhtml".
    def html(self, lang, paras, xml=False):
        r = self.r
        nbsp = "&#160;" if xml else "&nbsp;"
        apos = r.choice(["&#8217;", "&#x2019;"]) if xml else r.choice(["&#8217;", "&rsquo;"])
        mdash = "&#8212;" if xml else "&mdash;"
        br = "<br/>" if xml else "<br>"
        out = []
        for i in range(paras):
            x = r.random()
            if x < 0.08:
                out.append("<h2>%s</h2>" % self.sentence(lang, 3, 7).rstrip("."))
                continue
            if x < 0.14:
                items = "".join("<li>%s</li>" % self.sentence(lang, 3, 9)
                                for _ in range(r.randint(2, 5)))
                out.append("<ul>%s</ul>" % items)
                continue
            if x < 0.20:
                src = "https://img.example.net/%d/%d.jpg" % (r.randint(1, 999), r.randint(1, 99999))
                out.append('<figure><img src="%s" alt="%s" width="640" height="360"%s>'
                           '<figcaption>%s</figcaption></figure>'
                           % (src, " ".join(self.words("en", 2, 4)), "/" if xml else "",
                              self.sentence(lang, 3, 8)))
                continue
            if x < 0.25:
                out.append("<blockquote><p>%s</p></blockquote>" % self.sentence(lang))
                continue
            sents = [self.sentence(lang) for _ in range(r.randint(2, 6))]
            s = " ".join(sents)
            # decorate
            y = r.random()
            if y < 0.3:
                parts = s.split(" ")
                if len(parts) > 4:
                    i = r.randint(1, len(parts) - 3)
                    parts[i] = "<strong>" + parts[i]
                    parts[i + 1] += "</strong>"
                    s = " ".join(parts)
            if r.random() < 0.35:
                href = "https://www.example.org/%s/%d?ref=rss&amp;utm_source=feed" % (
                    r.choice(SECTIONS), r.randint(1000, 999999))
                s += ' <a href="%s" rel="noopener">%s</a>' % (href, " ".join(self.words(lang, 1, 4)))
            if r.random() < 0.3:
                s += " Europol" + apos + "s " + " ".join(self.words("en", 2, 4)) + "."
            if r.random() < 0.25:
                s += " 12" + nbsp + "tonnes " + mdash + " AT&amp;T, R&amp;D " + mdash + " <em>" + \
                    " ".join(self.words(lang, 1, 3)) + "</em>"
            if r.random() < 0.1:
                s += br + self.sentence(lang, 3, 6)
            if r.random() < 0.05:
                s += " 5 &lt; 7 &gt; 3 &quot;quoted&quot;"
            out.append("<p>%s</p>" % s)
        return "\n".join(out)


def xesc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xattr(s):
    return xesc(s).replace('"', "&quot;")


def cdata(s):
    return "<![CDATA[" + s.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def rfc822(rng, t):
    zone = rng.choice(["+0000", "GMT", "+0100", "+0200", "-0500", "EST", "PDT", "UT", "Z"])
    off = {"+0000": 0, "GMT": 0, "UT": 0, "Z": 0, "+0100": 60, "+0200": 120,
           "-0500": -300, "EST": -300, "PDT": -420}[zone]
    lt = t + datetime.timedelta(minutes=off)
    day = "%d" % lt.day if rng.random() < 0.3 else "%02d" % lt.day
    s = "%s %s %d %02d:%02d:%02d %s" % (day, MON[lt.month - 1], lt.year, lt.hour,
                                         lt.minute, lt.second, zone)
    if rng.random() < 0.9:
        s = WDAY[lt.weekday()] + ", " + s
    return s


def rfc3339(rng, t):
    zone = rng.choice(["Z", "Z", "+00:00", "+01:00", "+02:00", "-05:00", "+08:00"])
    off = 0 if zone in ("Z", "+00:00") else (int(zone[1:3]) * 60 * (1 if zone[0] == "+" else -1))
    lt = t + datetime.timedelta(minutes=off)
    frac = ".%03d" % rng.randint(0, 999) if rng.random() < 0.2 else ""
    return "%04d-%02d-%02dT%02d:%02d:%02d%s%s" % (lt.year, lt.month, lt.day, lt.hour,
                                                 lt.minute, lt.second, frac, zone)


class Feed:
    """Common per-feed state; entry() returns one entry's text."""

    def __init__(self, rng, fmt, enc, site, full, langs):
        self.r = rng
        self.fmt = fmt
        self.enc = enc
        self.site = site
        self.full = full                 # full content or summaries only
        self.g = Gen(rng, langs)
        self.t = BASE_DATE - datetime.timedelta(minutes=rng.randint(0, 600))
        self.n = 0
        self.curly = enc != "iso-8859-1"

    def tick(self):
        self.t -= datetime.timedelta(minutes=self.r.randint(3, 240), seconds=self.r.randint(0, 59))
        self.n += 1
        return self.n

    def slug(self, lang, n):
        ws = self.g.words("en" if lang not in LATIN1_LANGS else lang, 3, 6)
        s = "-".join(w.lower() for w in ws)
        s = "".join(c if c.isascii() and (c.isalnum() or c == "-") else "" for c in s)
        return "%s-%d" % (s, 100000 + n)

    def body(self, lang, xml=False):
        if self.full:
            return self.g.html(lang, self.r.randint(3, 14), xml)
        return self.g.html(lang, 1, xml)

    # ---------------- RSS 2.0
    def rss_head(self):
        r, g = self.r, self.g
        lang = g.lang()
        s = ['<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
             ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom"'
             ' xmlns:media="http://search.yahoo.com/mrss/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/"'
             ' xmlns:wfw="http://wellformedweb.org/CommentAPI/">',
             "<channel>",
             "<title>%s</title>" % xesc(g.title(lang, self.curly)),
             '<atom:link href="%s/feed/" rel="self" type="application/rss+xml" />' % self.site,
             "<link>%s/</link>" % self.site,
             "<description>%s</description>" % xesc(g.sentence(lang)),
             "<lastBuildDate>%s</lastBuildDate>" % rfc822(r, self.t),
             "<language>%s</language>" % lang,
             "<generator>https://wordpress.org/?v=6.4.2</generator>",
             "<image><url>%s/logo.png</url><title>logo</title><link>%s/</link></image>" % (self.site, self.site),
             "<ttl>30</ttl>"]
        return "\n".join(s) + "\n"

    def rss_item(self):
        r, g = self.r, self.g
        n = self.tick()
        lang = g.lang()
        link = "%s/%s/%d/%02d/%s.html" % (self.site, r.choice(SECTIONS), self.t.year, self.t.month, self.slug(lang, n))
        s = ["<item>"]
        title = g.title(lang, self.curly)
        if r.random() < 0.15:
            s.append("<title>%s</title>" % cdata(title))
        elif r.random() < 0.2:
            s.append("<title>%s</title>" % xesc(title).replace("'", "&#8217;"))
        else:
            s.append("<title>%s</title>" % xesc(title))
        s.append("<link>%s</link>" % link)
        if r.random() < 0.5:
            s.append("<comments>%s#comments</comments>" % link)
        s.append("<dc:creator>%s</dc:creator>" % cdata(r.choice(NAMES)))
        s.append("<pubDate>%s</pubDate>" % rfc822(r, self.t))
        for _ in range(r.randint(0, 4)):
            c = r.choice(CATEGORIES)
            s.append("<category>%s</category>" % (cdata(c) if r.random() < 0.5 else xesc(c)))
        if r.random() < 0.6:
            s.append('<guid isPermaLink="true">%s</guid>' % link)
        elif r.random() < 0.8:
            s.append('<guid isPermaLink="false">%s/?p=%d</guid>' % (self.site, 500000 + n))
        else:
            s.append('<guid>tag:%s,2026:%d</guid>' % (self.site.split("//")[1], n))
        summ = g.html(lang, 1)
        if r.random() < 0.5:
            s.append("<description>%s</description>" % cdata(summ + " [&#8230;]"))
        else:
            s.append("<description>%s</description>" % xesc(summ))
        if self.full:
            s.append("<content:encoded>%s</content:encoded>" % cdata(self.body(lang)))
        if r.random() < 0.3:
            s.append('<enclosure url="https://media.example.net/%d/%d.%s" length="%d" type="%s" />' % (
                r.randint(1, 99), n, *r.choice([("mp3", r.randint(10**6, 9 * 10**7), "audio/mpeg"),
                                                ("jpg", r.randint(10**4, 10**6), "image/jpeg")])))
        if r.random() < 0.3:
            s.append('<media:content url="https://img.example.net/%d.jpg" medium="image" width="1200" height="675">'
                     '<media:title type="plain">%s</media:title></media:content>' % (n, xesc(g.sentence(lang, 3, 6))))
        if r.random() < 0.3:
            s.append("<wfw:commentRss>%s/feed/</wfw:commentRss><slash:comments>%d</slash:comments>" % (link, r.randint(0, 50)))
        s.append("</item>")
        return "\n".join(s) + "\n"

    def rss_tail(self):
        return "</channel>\n</rss>\n"

    # ---------------- Atom 1.0
    def atom_head(self):
        r, g = self.r, self.g
        lang = g.lang()
        self.base = self.site + "/"
        s = ['<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="%s" xml:base="%s">' % (lang, self.base),
             '<title type="text">%s</title>' % xesc(g.title(lang, self.curly)),
             '<subtitle type="html">%s</subtitle>' % xesc("<em>%s</em>" % g.sentence(lang)),
             "<id>tag:%s,2026:feed</id>" % self.site.split("//")[1],
             '<link rel="alternate" type="text/html" href="/"/>',
             '<link rel="self" type="application/atom+xml" href="/feed.atom"/>',
             "<updated>%s</updated>" % rfc3339(r, self.t),
             "<author><name>%s</name><uri>%s/</uri></author>" % (xesc(r.choice(NAMES)), self.site),
             '<generator uri="https://example.org/gen" version="2.1">Gen</generator>',
             "<rights>&#169; 2026 Example</rights>"]
        return "\n".join(s) + "\n"

    def atom_entry(self):
        r, g = self.r, self.g
        n = self.tick()
        lang = g.lang()
        sect = r.choice(SECTIONS)
        rel = "%d/%02d/%s" % (self.t.year, self.t.month, self.slug(lang, n))
        if r.random() < 0.2:     # entry-level xml:base, link relative to it
            s = ['<entry xml:base="%s%s/">' % (self.base, sect)]
        else:
            s = ["<entry>"]
            rel = sect + "/" + rel
        title = g.title(lang, self.curly)
        x = r.random()
        if x < 0.3:
            s.append('<title type="html">%s</title>' % xesc(xesc(title).replace("'", "&#8217;")))
        elif x < 0.4:
            s.append('<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">%s</div></title>' % xesc(title))
        else:
            s.append("<title>%s</title>" % xesc(title))
        s.append('<link rel="alternate" type="text/html" href="%s"/>' % rel)
        if r.random() < 0.3:
            s.append('<link rel="replies" type="text/html" href="%s#comments" thr:count="3" xmlns:thr="http://purl.org/syndication/thread/1.0"/>' % rel)
        if r.random() < 0.2:
            s.append('<link rel="enclosure" type="audio/mpeg" length="%d" href="https://media.example.net/%d.mp3"/>'
                     % (r.randint(10**6, 9 * 10**7), n))
        s.append("<id>%s</id>" % (r.choice(["tag:%s,2026:post-%d" % (self.site.split("//")[1], n),
                                            "urn:uuid:%08x-%04x-4%03x-a%03x-%012x" % (
                                                r.getrandbits(32), r.getrandbits(16), r.getrandbits(12),
                                                r.getrandbits(12), r.getrandbits(48))])))
        if r.random() < 0.8:
            s.append("<published>%s</published>" % rfc3339(r, self.t))
        s.append("<updated>%s</updated>" % rfc3339(r, self.t + datetime.timedelta(minutes=r.randint(0, 90))))
        for _ in range(r.randint(1, 3)):
            a = "<author><name>%s</name>" % xesc(r.choice(NAMES))
            if r.random() < 0.4:
                a += "<email>desk%d@example.org</email>" % r.randint(1, 40)
            if r.random() < 0.3:
                a += "<uri>/authors/%d</uri>" % r.randint(1, 400)
            s.append(a + "</author>")
        if r.random() < 0.15:
            s.append("<contributor><name>%s</name></contributor>" % xesc(r.choice(NAMES)))
        for _ in range(r.randint(0, 4)):
            c = r.choice(CATEGORIES)
            s.append('<category term="%s" scheme="%s/tags" label="%s"/>' % (xattr(c), self.site, xattr(c)))
        x = r.random()
        summ = g.html(lang, 1)
        if x < 0.4:
            s.append('<summary type="html">%s</summary>' % xesc(summ))
        elif x < 0.7:
            s.append("<summary>%s</summary>" % xesc(g.sentence(lang) + " " + g.sentence(lang)))
        if self.full or x >= 0.7:
            y = r.random()
            if y < 0.45:
                s.append('<content type="html">%s</content>' % xesc(self.body(lang)))
            elif y < 0.65:
                s.append('<content type="html">%s</content>' % cdata(self.body(lang)))
            elif y < 0.95:
                s.append('<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">%s</div></content>'
                         % self.body(lang, xml=True))
            else:
                s.append('<content type="text">%s</content>' % xesc(" ".join(g.sentence(lang) for _ in range(5))))
        s.append("</entry>")
        return "\n".join(s) + "\n"

    def atom_tail(self):
        return "</feed>\n"

    # ---------------- RSS 1.0 (RDF): needs the item list up front
    def rdf_doc(self, target):
        r, g = self.r, self.g
        lang = g.lang()
        items, size, uris = [], 0, []
        while size < target:
            n = self.tick()
            ilang = g.lang()
            link = "%s/%s/%s" % (self.site, r.choice(SECTIONS), self.slug(ilang, n))
            s = ['<item rdf:about="%s">' % link,
                 "<title>%s</title>" % xesc(g.title(ilang, self.curly)),
                 "<link>%s</link>" % link,
                 "<description>%s</description>" % xesc(g.html(ilang, 1))]
            if r.random() < 0.8:
                s.append("<dc:creator>%s</dc:creator>" % xesc(r.choice(NAMES)))
            s.append("<dc:date>%s</dc:date>" % rfc3339(r, self.t))
            for _ in range(r.randint(0, 3)):
                s.append("<dc:subject>%s</dc:subject>" % xesc(r.choice(CATEGORIES)))
            if self.full:
                s.append("<content:encoded>%s</content:encoded>" % cdata(self.body(ilang)))
            s.append("</item>")
            t = "\n".join(s) + "\n"
            items.append(t)
            uris.append(link)
            size += len(t.encode("utf-8"))
        head = ['<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
                ' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
                ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
                ' xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">',
                '<channel rdf:about="%s/index.rdf">' % self.site,
                "<title>%s</title>" % xesc(g.title(lang, self.curly)),
                "<link>%s/</link>" % self.site,
                "<description>%s</description>" % xesc(g.sentence(lang)),
                "<dc:language>%s</dc:language>" % lang,
                "<dc:date>%s</dc:date>" % rfc3339(r, BASE_DATE),
                "<sy:updatePeriod>hourly</sy:updatePeriod>",
                "<items><rdf:Seq>"]
        head += ['<rdf:li rdf:resource="%s"/>' % u for u in uris]
        head += ["</rdf:Seq></items>", "</channel>"]
        return "\n".join(head) + "\n" + "".join(items) + "</rdf:RDF>\n", len(items)


ENC_DECL = {"utf-8": ["UTF-8", "utf-8"], "iso-8859-1": ["ISO-8859-1", "iso-8859-1"],
            "windows-1252": ["windows-1252", "Windows-1252"]}
PY_CODEC = {"utf-8": "utf-8", "iso-8859-1": "latin-1", "windows-1252": "cp1252"}


def write_feed(path, rng, fmt, enc, target, full, decl="yes", bom=False):
    """Write one feed of about `target` bytes; returns (bytes, entries)."""
    site = "https://%s.example.%s" % (rng.choice(["news", "www", "presse", "zeitung", "noticias",
                                                  "notizie", "blog", "info", "xinwen"]) +
                                      str(rng.randint(1, 999)), rng.choice(["com", "org", "net"]))
    langs = LATIN1_LANGS if enc != "utf-8" else ALL_LANGS
    f = Feed(rng, fmt, enc, site, full, langs)
    codec = PY_CODEC[enc]
    head = ""
    if bom:
        head += "\ufeff"
    if decl == "yes":
        head += '<?xml version="1.0" encoding="%s"?>\n' % rng.choice(ENC_DECL[enc])
    elif decl == "noenc":
        head += '<?xml version="1.0"?>\n'
    if fmt == "rss2" and rng.random() < 0.2:
        head += '<?xml-stylesheet type="text/xsl" href="/rss.xsl"?>\n'

    def enc_(s):
        return s.encode(codec, errors="xmlcharrefreplace")

    with open(path, "wb") as out:
        if fmt == "rdf":
            doc, n = f.rdf_doc(target)
            data = enc_(head + doc)
            out.write(data)
            return len(data), n
        if fmt == "rss2":
            hd, item, tl = f.rss_head, f.rss_item, f.rss_tail
        else:
            hd, item, tl = f.atom_head, f.atom_entry, f.atom_tail
        size = 0
        b = enc_(head + hd())
        out.write(b)
        size += len(b)
        n = 0
        buf, bl = [], 0
        while size + bl < target:
            b = enc_(item())
            buf.append(b)
            bl += len(b)
            n += 1
            if bl > 1 << 20:
                out.write(b"".join(buf))
                size += bl
                buf, bl = [], 0
        b = b"".join(buf) + enc_(tl())
        out.write(b)
        size += len(b)
        return size, n


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "out", "parse")
    corpus = os.path.join(outdir, "corpus")
    for d in ("small", "medium", "big"):
        os.makedirs(os.path.join(corpus, d), exist_ok=True)
    rng = random.Random(SEED)
    rows = []

    def add(cls, name, fmt, enc, target, full, **kw):
        rel = "corpus/%s/%s" % (cls, name)
        sz, n = write_feed(os.path.join(outdir, rel), rng, fmt, enc, target, full, **kw)
        variant = "bom" if kw.get("bom") else {"yes": "", "no": "nodecl", "noenc": "noenc"}[kw.get("decl", "yes")]
        rows.append([rel, cls, fmt, enc, str(sz), str(n), variant or "-"])

    # small: realistic single feeds, 20-100 KB
    for i in range(600):
        fmt = rng.choices(["rss2", "atom", "rdf"], [55, 30, 15])[0]
        enc = rng.choices(["utf-8", "iso-8859-1", "windows-1252"], [85, 7, 8])[0]
        decl, bom = "yes", False
        if enc == "utf-8":
            x = rng.random()
            if x < 0.03:
                bom = True
            elif x < 0.05:
                decl = "no"
            elif x < 0.07:
                decl = "noenc"
        target = rng.randint(20_000, 100_000)
        full = rng.random() < 0.6
        add("small", "s%03d-%s-%s.xml" % (i, fmt, enc), fmt, enc, target, full, decl=decl, bom=bom)
    # medium: archives / big aggregators, 1-5 MB
    med = [("rss2", "utf-8"), ("atom", "utf-8"), ("rss2", "utf-8"), ("rdf", "utf-8"),
           ("atom", "utf-8"), ("rss2", "windows-1252"), ("rss2", "utf-8"), ("atom", "utf-8"),
           ("rss2", "iso-8859-1"), ("rdf", "utf-8"), ("rss2", "utf-8"), ("atom", "iso-8859-1")]
    for i, (fmt, enc) in enumerate(med):
        add("medium", "m%02d-%s-%s.xml" % (i, fmt, enc), fmt, enc,
            rng.randint(1_000_000, 5_000_000), True)
    # memory-independence set: identical parameters, only the size differs
    for name, cls, mb in (("ref-1mb", "medium", 1), ("big-20mb", "big", 20), ("big-50mb", "big", 50)):
        add(cls, "%s-rss2-utf-8.xml" % name, "rss2", "utf-8", mb * 1_000_000, True)

    with open(os.path.join(outdir, "manifest.tsv"), "w") as m:
        m.write("path\tclass\tformat\tencoding\tbytes\tentries\tvariant\n")
        for row in rows:
            m.write("\t".join(row) + "\n")
    total = sum(int(r[4]) for r in rows)
    print("gen.py: %d files, %.1f MB in %s" % (len(rows), total / 1e6, corpus))


if __name__ == "__main__":
    main()
