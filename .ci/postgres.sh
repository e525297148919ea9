# Sourced by .ci/run: a PostgreSQL for the ledger's tests. Uses the server HONOR_TEST_PG
# names (default postgres://postgres@127.0.0.1:5432/test); when nothing answers there and the
# PostgreSQL binaries are installed, starts a throwaway cluster in a temporary folder, as an
# unprivileged user (postgres refuses root), on a free loopback port, and stops it on exit.
# With neither, the PostgreSQL tests fail and say how to provide one.

export HONOR_TEST_PG="${HONOR_TEST_PG:-postgres://postgres@127.0.0.1:5432/test}"

pg_answers() {
    python3 - "$1" <<'PY'
import socket, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
try:
    socket.create_connection((u.hostname or "127.0.0.1", u.port or 5432), timeout=2).close()
except OSError:
    sys.exit(1)
PY
}

throwaway_pg() {
    local initdb bin dir port run
    initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$initdb" ]; then
        echo "no PostgreSQL answers at $HONOR_TEST_PG and none is installed; the PostgreSQL tests will fail" >&2
        return 0
    fi
    bin=$(dirname "$initdb")
    dir=$(mktemp -d)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    run=()
    if [ "$(id -u)" = 0 ]; then
        chown nobody "$dir"
        run=(runuser -u nobody --)
    fi
    "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync >"$dir/initdb.log"
    "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
    PG_THROWAWAY_STOP=("${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop)
    PG_THROWAWAY_DIR=$dir
    trap 'stop_throwaway_pg' EXIT
    export HONOR_TEST_PG="postgres://postgres@127.0.0.1:$port/postgres"
    echo "started a throwaway PostgreSQL at $HONOR_TEST_PG"
}

stop_throwaway_pg() {
    "${PG_THROWAWAY_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$PG_THROWAWAY_DIR"
}

if ! pg_answers "$HONOR_TEST_PG"; then
    throwaway_pg
fi
