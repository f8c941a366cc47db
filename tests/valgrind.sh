#!/bin/sh
# tests/valgrind.sh - the offline demo with every pcmon command under
# valgrind memcheck (make valgrind; CI runs it after the test suites).
#
# config/demo/run.sh calls $PCMON for each step: feeds import, four crawls
# of the twelve outlets, pcmon run (crawl, stories, classify, detect, alerts,
# report, metrics), report, db info, feeds list, items, trends, alerts.  Here
# $PCMON is a wrapper that runs the real binary (the -O2 -g build) under
# memcheck, each run logging to its own file.  Any invalid read or write,
# use of uninitialised memory, or definite or indirect leak fails it
# (still-reachable blocks of libcurl, OpenSSL and libxml2 are left alone).
# Ends with "N passed, N failed": one check per pcmon run.
set -eu
top=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
out=$top/build/valgrind

command -v valgrind >/dev/null ||
	{ echo "valgrind: valgrind is missing (sh deps.sh --test)" >&2; exit 1; }
make -C "$top" -s pcmon
rm -rf "$out"
mkdir -p "$out/logs"
cat > "$out/pcmon" <<EOF
#!/bin/sh
exec valgrind -q --error-exitcode=97 --leak-check=full \\
	--show-leak-kinds=definite,indirect \\
	--errors-for-leak-kinds=definite,indirect \\
	--log-file="$out/logs/%p.log" "$top/pcmon" "\$@"
EOF
chmod +x "$out/pcmon"

status=0
PCMON=$out/pcmon PCMON_DEMO_DIR=$out/demo sh "$top/config/demo/run.sh" \
	> "$out/demo.out" 2>&1 || status=$?

runs=0
bad=0
for f in "$out"/logs/*.log; do
	[ -e "$f" ] || continue
	runs=$((runs + 1))
	if [ -s "$f" ]; then
		bad=$((bad + 1))
		echo "valgrind: memcheck errors in $f:"
		head -60 "$f"
	fi
done
if [ "$status" -ne 0 ]; then
	echo "valgrind: the demo failed (exit $status); its output:"
	tail -40 "$out/demo.out"
	bad=$((bad + 1))
fi
echo "valgrind: $runs pcmon runs of the demo under memcheck, $bad with errors"
echo "$((runs - bad < 0 ? 0 : runs - bad)) passed, $bad failed"
[ "$bad" -eq 0 ]
