#!/bin/sh
# run.sh - crawler benchmark: pcmon crawl against sfeed_update and
# xargs -P 16 curl, on FEEDS (2,000) feeds served from 127.0.0.1 with a
# 100 ms delay per response.
#
#   sh bench/crawl/run.sh            (FEEDS=n, PCMON=path to change)
#
# Each feed has a host of its own (fNNNN.localhost, which libcurl resolves
# to 127.0.0.1 itself), as real feeds do: pcmon's per-host politeness then
# does not serialise them.  The server (serve.py) counts every byte it
# sends, headers included, so "bytes" is the same measure for every tool.
# The second pcmon crawl (--force, nothing changed) shows what conditional
# GET saves.  Writes the "## Crawler" section of bench/RESULTS.md
# (NORESULTS=1: only prints it).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/bench/out/crawl
PCMON=${PCMON:-$root/pcmon}
FEEDS=${FEEDS:-2000}
DELAY=0.1
CONC=16
TIME=/usr/bin/time

for t in python3 curl sfeed_update; do
	command -v $t >/dev/null || { echo "run.sh: $t missing: run 'sh deps.sh --bench'" >&2; exit 2; }
done
"$TIME" -f %e true >/dev/null 2>&1 || { echo "run.sh: GNU time missing: run 'sh deps.sh --bench'" >&2; exit 2; }
[ -x "$PCMON" ] || { echo "run.sh: $PCMON missing: run make" >&2; exit 2; }

mkdir -p "$out"
if [ ! -f "$out/www/f$(printf %04d $((FEEDS - 1))).xml" ]; then
	echo "run.sh: generating $FEEDS feeds ..." >&2
	python3 "$here/gen.py" "$out/www" "$FEEDS"
fi

rm -f "$out/server.out"
python3 "$here/serve.py" "$out/www" "$DELAY" > "$out/server.out" &
server=$!
trap 'kill $server 2>/dev/null' EXIT INT TERM
until grep -q '^port ' "$out/server.out" 2>/dev/null; do sleep 0.1; done
port=$(sed -n 's/^port //p' "$out/server.out")
base=http://127.0.0.1:$port

i=0
: > "$out/urls"
while [ $i -lt "$FEEDS" ]; do
	f=$(printf f%04d $i)
	echo "http://$f.localhost:$port/$f.xml" >> "$out/urls"
	i=$((i + 1))
done

stats() { curl -s "$base/_stats"; }
reset() { curl -s -X POST "$base/_reset" > /dev/null; }
# timed CMD...: "wall user sys maxrss_kb" of the command (children included)
timed() { "$TIME" -f '%e %U %S %M' -o "$out/t" "$@" > /dev/null 2>> "$out/errors"; tail -1 "$out/t"; }
: > "$out/errors"

# ---- pcmon
rm -rf "$out/pcmon"
mkdir -p "$out/pcmon"
cat > "$out/pcmon/pcmon.conf" <<CONF
[general]
data_dir = $out/pcmon
database = $out/pcmon/pcmon.db
log_level = warn
[crawl]
user_agent = pcmon-bench (contact: bench@localhost)
concurrency = $CONC
CONF
{
	echo '<?xml version="1.0"?><opml version="2.0"><head><title>bench</title></head><body>'
	sed 's|.*|<outline type="rss" text="&" xmlUrl="&"/>|' "$out/urls"
	echo '</body></opml>'
} > "$out/feeds.opml"
p() { "$PCMON" -c "$out/pcmon/pcmon.conf" "$@"; }
p feeds import "$out/feeds.opml" > /dev/null
reset
pc1=$(timed "$PCMON" -c "$out/pcmon/pcmon.conf" crawl --quiet)
pc1s=$(stats)
reset
pc2=$(timed "$PCMON" -c "$out/pcmon/pcmon.conf" crawl --force --quiet)
pc2s=$(stats)
pcitems=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from items").fetchone()[0])' "$out/pcmon/pcmon.db")
pcfail=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from fetch_log where error is not null").fetchone()[0])' "$out/pcmon/pcmon.db")

# ---- xargs -P 16 curl (fetch only, no parsing, no conditional GET)
reset
xa=$(timed sh -c "xargs -P $CONC -n 1 curl -s --compressed -o /dev/null < '$out/urls'")
xas=$(stats)

# ---- sfeed_update, its default maxjobs, twice
rm -rf "$out/sfeed"
mkdir -p "$out/sfeed/feeds"
{
	echo "sfeedpath=\"$out/sfeed/feeds\""
	echo "feeds() {"
	awk '{ printf "\tfeed \"f%04d\" \"%s\"\n", NR - 1, $0 }' "$out/urls"
	echo "}"
} > "$out/sfeed/sfeedrc"
reset
sf1=$(timed sfeed_update "$out/sfeed/sfeedrc")
sf1s=$(stats)
reset
sf2=$(timed sfeed_update "$out/sfeed/sfeedrc")
sf2s=$(stats)
sfitems=$(cat "$out/sfeed/feeds/"* 2>/dev/null | wc -l)
maxjobs=$(sed -n 's/^maxjobs=//p' "$(command -v sfeed_update)")

results=$root/bench/RESULTS.md
[ "${NORESULTS:-}" = 1 ] && results=$out/RESULTS.md
python3 "$here/report.py" "$results" "$FEEDS" "$DELAY" "$CONC" "$maxjobs" \
	"$pc1" "$pc1s" "$pc2" "$pc2s" "$pcitems" "$pcfail" "$xa" "$xas" \
	"$sf1" "$sf1s" "$sf2" "$sf2s" "$sfitems" "$(cd "$root" && git rev-parse --short HEAD)"
