#!/usr/bin/env python3
"""Writes a deterministic labeled data set for the classifier cases.

Two classes of short made-up news texts: "1" about international police
cooperation, "0" about anything else (sport, weather, markets, culture).
Every phrase below was written for these tests.

  gen.py [--n N] [--seed S] [--format jsonl|tsv|predict] [--int-labels]
         [--themes]

jsonl: {"label", "title", "summary"} (every fifth line uses "text" instead
of "summary"); tsv: label<TAB>text; predict: {"id", "title", "summary"}
without labels, ids alternating between numbers and strings.
--themes: "1" examples get a "theme" from their verb (patrols, agreements,
stations or training), and those of a cross-border raid a second one in
"themes".
"""
import argparse
import json
import random

POLICE_SUBJ = [
    "Interior ministers", "Police chiefs", "Border officers", "Prosecutors",
    "Security officials", "Interpol delegates", "Europol analysts",
    "Public security bureau officers", "Coast guard commanders",
    "Anti-fraud investigators",
]
POLICE_VERB = [
    "sign a police cooperation agreement", "launch joint patrols",
    "agree on an extradition treaty", "open a liaison office",
    "train foreign police cadets", "share intelligence on smuggling",
    "repatriate fraud suspects", "set up an overseas police service station",
    "coordinate a cross-border raid", "exchange officers under a security pact",
]
POLICE_PLACE = [
    "in the capital", "at the border crossing", "after talks in Belgrade",
    "in the port city", "during a regional summit", "at the police academy",
    "near the tourist district", "under a new memorandum",
]
POLICE_TAIL = [
    "The ministry said the joint operation targets telecom fraud.",
    "Officers will patrol together for three months.",
    "The agreement covers extradition and evidence sharing.",
    "Critics warn of transnational repression of dissidents.",
    "Suspects were handed over at the airport.",
    "The training programme includes surveillance systems.",
]
OTHER_SUBJ = [
    "The home team", "Farmers", "Shoppers", "The orchestra", "Local bakers",
    "Marathon runners", "Tech investors", "The city museum",
    "Weather forecasters", "A famous chef",
]
OTHER_VERB = [
    "win the cup final", "expect a record harvest", "crowd the winter sales",
    "perform a new symphony", "bake the largest loaf", "break the course record",
    "bet on solar startups", "open a dinosaur exhibition",
    "predict heavy snowfall", "publish a cookbook",
]
OTHER_PLACE = [
    "this weekend", "in the valley", "at the market square",
    "after a long season", "despite the rain", "on the riverside",
    "for the festival", "before the holidays",
]
OTHER_TAIL = [
    "Tickets sold out within an hour.",
    "Prices of apples fell by ten percent.",
    "The goalkeeper saved two penalties.",
    "Visitors praised the colourful displays.",
    "Temperatures will drop below zero overnight.",
    "The recipe uses butter, flour and honey.",
]


# the theme of each POLICE_VERB, for --themes
VERB_THEME = ["agreements", "patrols", "agreements", "stations", "training",
              "training", "agreements", "stations", "patrols", "agreements"]


def example(rng, label):
    if label == "1":
        s, v, p, t = POLICE_SUBJ, POLICE_VERB, POLICE_PLACE, POLICE_TAIL
    else:
        s, v, p, t = OTHER_SUBJ, OTHER_VERB, OTHER_PLACE, OTHER_TAIL
    subj = rng.choice(s)
    verb = rng.randrange(len(v))  # the same draw as rng.choice(v)
    title = "%s %s %s" % (subj, v[verb], rng.choice(p))
    summary = " ".join(rng.sample(t, 2))
    return title, summary, verb


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--format", default="jsonl",
                    choices=("jsonl", "tsv", "predict"))
    ap.add_argument("--int-labels", action="store_true")
    ap.add_argument("--themes", action="store_true")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = []
    for i in range(a.n):
        label = "1" if rng.random() < 0.5 else "0"
        title, summary, verb = example(rng, label)
        if a.format == "tsv":
            out.append("%s\t%s %s" % (label, title, summary))
        elif a.format == "predict":
            oid = i + 1 if i % 2 == 0 else "item-%d" % (i + 1)
            out.append(json.dumps({"id": oid, "title": title,
                                   "summary": summary, "lang": "en"}))
        else:
            o = {"label": int(label) if a.int_labels else label,
                 "title": title}
            o["text" if i % 5 == 4 else "summary"] = summary
            if a.themes:
                o["theme"] = VERB_THEME[verb] if label == "1" else None
                if label == "1" and verb == 8:
                    o["themes"] = ["patrols", "agreements"]
            out.append(json.dumps(o, ensure_ascii=False))
    print("\n".join(out))


if __name__ == "__main__":
    main()
