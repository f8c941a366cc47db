#!/bin/sh
# The offline demo (make demo): pcmon's real parser and store on four monthly
# snapshots of twelve bundled feeds (config/demo/feeds/OUTLET/2026-MM.xml),
# replayed in order as if pcmon had polled each outlet once a month.  It uses
# no network.  The database lands in build/demo/ (or $PCMON_DEMO_DIR).
set -eu

top=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
pcmon=${PCMON:-$top/pcmon}
demo=${PCMON_DEMO_DIR:-$top/build/demo}
feeds=$top/config/demo/feeds

[ -x "$pcmon" ] || { echo "demo: $pcmon is missing; run make first" >&2; exit 1; }
rm -rf "$demo"
mkdir -p "$demo"
cat > "$demo/pcmon.conf" <<CONF
# written by config/demo/run.sh
[general]
data_dir = $demo
database = $demo/pcmon.db
log_level = warn
CONF
p() { "$pcmon" -c "$demo/pcmon.conf" "$@"; }

echo "== importing the demo outlets (config/demo/feeds.opml)"
p feeds import "$top/config/demo/feeds.opml"

for month in 2026-07 2026-08 2026-09 2026-10; do
	echo "== snapshot $month"
	for dir in "$feeds"/*/; do
		outlet=$(basename "$dir")
		file=$dir$month.xml
		[ -f "$file" ] || continue
		# one fetch of https://OUTLET.example/feed, from the saved document
		p ingest "https://$outlet.example/feed" "$file" | sed "s|^$top/||"
	done
done

echo "== a second pass over the last snapshot adds nothing (deduplication)"
for dir in "$feeds"/*/; do
	outlet=$(basename "$dir")
	p ingest "https://$outlet.example/feed" "${dir}2026-10.xml"
done | awk '{ new += $(NF-1) } END { print "new items:", new + 0 }'

echo
echo "== database"
p db info
echo
echo "== feeds"
p feeds list
echo
echo "== newest items"
p items --limit 15
echo
echo "database: $demo/pcmon.db   (config: $demo/pcmon.conf)"
echo "try:      $pcmon -c $demo/pcmon.conf items --since 2026-09-14 --until 2026-09-20"
