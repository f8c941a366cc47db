#!/bin/sh
# tests/diskfull.sh URL - the disk filling up under pcmon's database.
#
# Run by tests/cases/0880-disk-full.test (pcmon on PATH, PCMON_CONFIG set,
# the current directory the case's %TMP).  Re-runs itself in a private
# mount namespace (unshare -m as root, unshare -rm otherwise), so the small
# file system it mounts goes away with it whatever happens.  There, on a
# 3 MiB tmpfs holding the database (a copy of the case's configuration
# with its database line pointing there):
#   1. a small feed is crawled and stored (3 items);
#   2. a 2,000-item feed (about 4 MB) does not fit: pcmon crawl and pcmon
#      run must say that the disk is full, name the feed and the database,
#      exit 3, and leave the database intact with the first 3 items;
#   3. the file system grows; the next crawl stores the 2,000 items, each
#      once.
# Prints what it checks, one line each; exits 1 at the first failure.
set -u
url=$1

if [ -z "${PCMON_DISKFULL_NS:-}" ]; then
	export PCMON_DISKFULL_NS=1
	if [ "$(id -u)" -eq 0 ]; then
		exec unshare -m sh "$0" "$@"
	fi
	exec unshare -rm sh "$0" "$@"
fi

fail() {
	echo "diskfull: $*"
	exit 1
}

mnt=$PWD/small
mkdir -p "$mnt"
mount -t tmpfs -o size=3m tmpfs "$mnt" || fail "cannot mount a tmpfs"
# the namespace is private: nothing mounted here shows outside
mount --make-private "$mnt" 2>/dev/null
db=$mnt/pcmon.db
sed "s|^database = .*|database = $db|" "$PCMON_CONFIG" > small.conf
export PCMON_CONFIG=$PWD/small.conf

pcmon feeds add "$url/small.xml" >/dev/null || fail "feeds add"
pcmon feeds add "$url/big.xml" >/dev/null || fail "feeds add"
pcmon crawl --feed "$url/small.xml" >/dev/null 2>&1 || fail "first crawl"
echo "stored $(sqlite3 "$db" 'SELECT count(*) FROM items') items"

pcmon crawl --feed "$url/big.xml" >out 2>err
echo "crawl on a full disk: exit $?"
grep -v ' warn: ' err
sqlite3 "$db" 'PRAGMA integrity_check' | sed 's/^/integrity_check: /'
echo "still $(sqlite3 "$db" 'SELECT count(*) FROM items') items"
# the feed is not to blame: not counted as failing, still due
echo "big feed: $(sqlite3 "$db" "SELECT 'fail_count ' || fail_count ||
	CASE WHEN next_fetch_at IS NULL OR next_fetch_at <= strftime('%s')
	THEN ', due' ELSE ', not due' END FROM feeds WHERE url LIKE '%/big.xml'")"
pcmon run --no-report >out 2>err
echo "run on a full disk: exit $?"
grep -v ' warn: ' err
sqlite3 "$db" 'PRAGMA integrity_check' | sed 's/^/integrity_check: /'
# what pcmon lists and reports still works on the full disk
pcmon items --limit 1 --until 2100-01-01 >/dev/null 2>&1 &&
	echo "items readable on the full disk"

mount -o remount,size=64m "$mnt" || fail "cannot grow the tmpfs"
pcmon crawl --feed "$url/big.xml" >/dev/null 2>err2 ||
	fail "crawl after growing: $(cat err2)"
echo "after growing: $(sqlite3 "$db" \
	'SELECT count(*), count(DISTINCT guid) FROM items') items, distinct"
sqlite3 "$db" 'PRAGMA integrity_check' | sed 's/^/integrity_check: /'
