#!/bin/sh
# tests/pg.sh start DIR | stop DIR - a throw-away PostgreSQL cluster for
# the tests: initdb in DIR, pg_ctl on 127.0.0.1 on a free port, trust
# authentication, one database "pcmon".  start prints the URL to use
# (postgresql://pcmon@127.0.0.1:PORT/pcmon) and writes it to DIR/url;
# stop stops the server and removes DIR.  PostgreSQL refuses to run as
# root: as root the server runs as the postgres user (Debian's package
# creates it).  Needs Debian's postgresql (sh deps.sh --test).
set -eu
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: pg.sh start|stop DIR" >&2; exit 2; }

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] && [ -x "$bin/initdb" ] ||
	{ echo "pg.sh: PostgreSQL is missing (sh deps.sh --test)" >&2; exit 1; }

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case $cmd in
start)
	mkdir -p "$dir"
	dir=$(CDPATH= cd -- "$dir" && pwd)
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres "$dir"
		# the server must reach its directory
		d=$dir
		while [ "$d" != / ]; do
			chmod o+x "$d" 2>/dev/null || true
			d=$(dirname "$d")
		done
	fi
	as_pg "$bin/initdb" -D "$dir/data" -U pcmon -A trust -E UTF8 \
		--locale=C.UTF-8 > "$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -c port=$port -k $dir -c fsync=off -c max_connections=200" \
		start > /dev/null ||
		{ cat "$dir/server.log" >&2; exit 1; }
	as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U pcmon pcmon
	echo "postgresql://pcmon@127.0.0.1:$port/pcmon" > "$dir/url"
	cat "$dir/url"
	;;
stop)
	[ -d "$dir/data" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop > /dev/null 2>&1 || true
	rm -rf "$dir"
	;;
*)
	echo "usage: pg.sh start|stop DIR" >&2
	exit 2
	;;
esac
