#!/usr/bin/python3
"""fp.py LIST COUNTS - feedparser driver for run.sh (timed as a whole).

Parses every file named in LIST (one path a line) with
feedparser.parse(bytes) and writes "path<TAB>len(d.entries)" lines to
COUNTS.  Run it with Debian's /usr/bin/python3 (python3-feedparser).
"""
import sys

import feedparser


def main():
    lst, counts = sys.argv[1], sys.argv[2]
    with open(lst) as f:
        paths = [line.rstrip("\n") for line in f if line.strip()]
    out = []
    for p in paths:
        with open(p, "rb") as f:
            data = f.read()
        d = feedparser.parse(data)
        out.append("%s\t%d\n" % (p, len(d.entries)))
    with open(counts, "w") as f:
        f.writelines(out)


if __name__ == "__main__":
    main()
