#!/bin/sh
# The offline demo (make demo): pcmon's real crawler, parser and store on
# four monthly snapshots of twelve bundled feeds
# (config/demo/feeds/OUTLET/2026-MM.xml).  A local HTTP server on 127.0.0.1
# (tests/server.py) serves each outlet at http://OUTLET.localhost:PORT/; the
# demo publishes one month after the other and crawls after each, then
# crawls once more with nothing changed (every feed answers 304).  No other
# network is used.  Everything lands in build/demo/ (or $PCMON_DEMO_DIR).
set -eu

top=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
pcmon=${PCMON:-$top/pcmon}
demo=${PCMON_DEMO_DIR:-$top/build/demo}
feeds=$top/config/demo/feeds

[ -x "$pcmon" ] || { echo "demo: $pcmon is missing; run make first" >&2; exit 1; }
command -v python3 >/dev/null || { echo "demo: python3 is missing; run sh deps.sh" >&2; exit 1; }
rm -rf "$demo"
mkdir -p "$demo/www"

# the outlets' web server, on a free port; stopped whatever happens
python3 "$top/tests/server.py" --port 0 --root "$demo/www" > "$demo/server.out" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null' EXIT INT TERM
i=0
until grep -q '^port ' "$demo/server.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "demo: the local server did not start" >&2; exit 1; }
	sleep 0.1
done
port=$(sed -n 's/^port //p' "$demo/server.out")

cat > "$demo/pcmon.conf" <<CONF
# written by config/demo/run.sh
[general]
data_dir = $demo
database = $demo/pcmon.db
log_level = warn
[crawl]
user_agent = pcmon/0.1.0 (offline demo; contact: demo@localhost)
[detect]
# the demo's news ends on 2026-10-31: judge every day of it, not only the
# last three before today
recent = 200d
CONF
p() { "$pcmon" -c "$demo/pcmon.conf" "$@"; }

echo "== following the twelve demo outlets (config/demo/feeds.opml)"
# https://OUTLET.example/feed -> the local server
sed "s|https://\([a-z]*\)\.example/feed|http://\1.localhost:$port/files/\1.xml|" \
	"$top/config/demo/feeds.opml" > "$demo/feeds.opml"
p feeds import "$demo/feeds.opml"

n=0
for month in 2026-07 2026-08 2026-09 2026-10; do
	echo "== $month: the outlets publish, pcmon crawls"
	for dir in "$feeds"/*/; do
		outlet=$(basename "$dir")
		[ -f "$dir$month.xml" ] || continue
		cp "$dir$month.xml" "$demo/www/$outlet.xml"
		# a new Last-Modified (and ETag) for each month's document
		n=$((n + 1))
		touch -d "@$((1780000000 + n * 100))" "$demo/www/$outlet.xml"
	done
	# --force: the demo compresses four months into a minute, so the
	# feeds' own schedules (hours apart) are not waited for
	p crawl --force
done

echo "== pcmon run: nothing changed on the servers (conditional requests,"
echo "   nothing new), then stories, classification, spike detection, alerts"
p run --force
# the report over the demo's four months (pcmon run wrote one for the last
# 120 days up to today)
p report --since 2026-06-29 --until 2026-10-31 > /dev/null

echo
echo "== database"
p db info
echo
echo "== feeds (the demo's news ends on 2026-10-31: by today's clock, outlets"
echo "   that used to post daily are reported quiet)"
p feeds list
echo
echo "== newest items"
p items --limit 15
echo
echo "== related stories per week (corrected estimate and 90% interval)"
p trends --by week --since 2026-06-29 --until 2026-11-01
echo
echo "== related stories per theme and month"
p trends --by month --series theme --since 2026-07-01 --until 2026-10-31
echo
echo "== alerts (volume spikes; \"new\": the first story in a long time)"
p alerts
echo
echo "report:   $demo/report/report.html   (pcmon report --since 2026-06-29 --until 2026-10-31)"
echo "database: $demo/pcmon.db   (config: $demo/pcmon.conf)"
echo "try:      $pcmon -c $demo/pcmon.conf items --since 2026-09-14 --until 2026-09-20"
