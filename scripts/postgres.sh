#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests and benchmarks, on Debian's binaries (scripts/install-test-servers.sh).
#
#   postgres.sh start DIR PORT [--stop-with PID]
#       Creates the cluster in DIR when DIR is empty or absent, starts it on 127.0.0.1:PORT (restarts keep the data)
#       and prints the product's connection string on stdout. --stop-with: the cluster is stopped once process PID
#       exits (a crashed test host leaves no server behind). Exit 3: PORT is in use.
#   postgres.sh stop DIR        Fast shutdown, waiting for it; nothing to do when it is not running.
#   postgres.sh url DIR         Prints the Npgsql connection string of role vision, database vision.
#   postgres.sh psql DIR [ARG]  psql as the superuser postgres over the cluster's unix socket.
#
# DIR holds data/ (the cluster), socket/ (its unix socket), server.log, port and password (role vision's, mode 0600).
# Access: TCP on 127.0.0.1 only, for role vision with its password (scram-sha-256; it may create databases); the
# superuser postgres only through the unix socket in DIR, without a password (DIR is open to its owner only).
# As root, the server runs as Debian's postgres system user and DIR is chowned to it; otherwise as the caller.
# Server settings are PostgreSQL's defaults (fsync on) but for listen_addresses, the socket and max_connections.
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"

die() {
  echo "postgres.sh: $*" >&2
  exit 2
}

usage() {
  die "usage: postgres.sh start DIR PORT [--stop-with PID] | stop DIR | url DIR | psql DIR [psql args]"
}

require_binaries() {
  for tool in initdb pg_ctl postgres psql; do
    [ -x "$bin/$tool" ] || die "$bin/$tool is missing: PostgreSQL 15 is not installed, run scripts/install-test-servers.sh"
  done
}

# The server's user: postgres when root (the server refuses to run as root), else whoever calls.
server_user() {
  if [ "$(id -u)" -eq 0 ]; then
    id -u postgres >/dev/null 2>&1 || die "running as root needs Debian's postgres system user (made by postgresql-common): run scripts/install-test-servers.sh"
    echo postgres
  else
    id -un
  fi
}

as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$dir" && runuser -u postgres -- "$@")
  else
    (cd "$dir" && "$@")
  fi
}

cluster_dir() {
  [ -n "${1:-}" ] || usage
  [ -d "$1" ] || die "$1 is not a directory: start a cluster there first (postgres.sh start $1 PORT)"
  dir="$(cd "$1" && pwd)"
  [ -f "$dir/data/PG_VERSION" ] || die "$dir holds no cluster made by postgres.sh (no data/PG_VERSION)"
}

running() {
  as_server "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

url() {
  [ -f "$dir/port" ] && [ -f "$dir/password" ] || die "$dir has no port or password file: start the cluster (postgres.sh start $dir PORT)"
  echo "Host=127.0.0.1;Port=$(cat "$dir/port");Username=vision;Password=$(cat "$dir/password");Database=vision"
}

superuser_psql() {
  "$bin/psql" -X -q -h "$dir/socket" -p "$(cat "$dir/port")" -U postgres "$@"
}

init_cluster() {
  local user
  user="$(server_user)"
  chmod 700 "$dir"
  mkdir -p "$dir/socket"
  [ "$(id -u)" -eq 0 ] && chown "$user:" "$dir" "$dir/socket"
  as_server test -w "$dir" || die "user $user cannot write to $dir (a parent folder is closed to it): choose a folder under /tmp"
  # --no-sync: only initdb's own flush of the new files; a throwaway cluster lost in a power cut is made again.
  local out
  if ! out="$(as_server "$bin/initdb" -D "$dir/data" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 --no-sync --no-instructions 2>&1)"; then
    echo "$out" >&2
    die "initdb into $dir/data failed (above)"
  fi
  cat >"$dir/data/pg_hba.conf" <<'HBA'
# written by scripts/postgres.sh: the superuser over the unix socket in DIR only, role vision over 127.0.0.1 with its password
local all  postgres                trust
host  all  vision    127.0.0.1/32  scram-sha-256
HBA
  cat >>"$dir/data/postgresql.conf" <<CONF

# scripts/postgres.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/socket'
max_connections = 300
CONF
  [ "$(id -u)" -eq 0 ] && chown "$user:" "$dir/data/pg_hba.conf" "$dir/data/postgresql.conf"
  return 0
}

# Role vision and its database; again on a start after a bootstrap that did not finish (no password file yet).
bootstrap_roles() {
  local password
  password="$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')"
  superuser_psql -d postgres -v ON_ERROR_STOP=1 -v password="$password" >/dev/null <<'SQL'
SELECT CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = 'vision')
  THEN 'ALTER ROLE vision LOGIN CREATEDB PASSWORD ' || quote_literal(:'password')
  ELSE 'CREATE ROLE vision LOGIN CREATEDB PASSWORD ' || quote_literal(:'password') END \gexec
SELECT 'CREATE DATABASE vision OWNER vision' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'vision') \gexec
SQL
  (umask 077 && echo "$password" >"$dir/password.new")
  mv "$dir/password.new" "$dir/password"
}

start() {
  [ $# -ge 2 ] || usage
  local port="$2" owner=""
  [ "${3:-}" = "--stop-with" ] && { owner="${4:-}"; [[ "$owner" =~ ^[0-9]+$ ]] || usage; }
  [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "port '$port' is not a TCP port (1-65535)"
  require_binaries
  mkdir -p "$1"
  dir="$(cd "$1" && pwd)"
  # The kernel's limit for a unix socket path is 107 bytes.
  [ ${#dir} -le 80 ] || die "$dir is too long for the server's unix socket ($dir/socket/.s.PGSQL.$port): choose a shorter folder"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    [ -z "$(ls -A "$dir")" ] || die "$dir is neither empty nor a cluster made by postgres.sh: choose an empty or new folder"
    init_cluster
  fi
  if running; then
    [ "$(cat "$dir/port" 2>/dev/null)" = "$port" ] || die "the cluster in $dir already runs on port $(cat "$dir/port" 2>/dev/null): stop it first (postgres.sh stop $dir)"
  else
    echo "$port" >"$dir/port"
    local logged
    logged=$(stat -c %s "$dir/server.log" 2>/dev/null || echo 0)
    if ! as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t 60 -s start >/dev/null 2>&1; then
      if tail -c +$((logged + 1)) "$dir/server.log" 2>/dev/null | grep -q "could not bind\|Address already in use"; then
        echo "postgres.sh: port $port on 127.0.0.1 is in use" >&2
        exit 3
      fi
      tail -c +$((logged + 1)) "$dir/server.log" 2>/dev/null | tail -n 20 >&2 || true
      die "the server in $dir did not start (the end of $dir/server.log is above)"
    fi
  fi
  [ -f "$dir/password" ] || bootstrap_roles
  if [ -n "$owner" ]; then
    # Polls the owner; ends by itself when the cluster is stopped (postmaster.pid gone).
    (setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -e "$2/data/postmaster.pid" ]; do sleep 1; done
      [ -e "$2/data/postmaster.pid" ] && exec bash "$0" stop "$2"' "$self" "$owner" "$dir" </dev/null >/dev/null 2>&1 &)
  fi
  url
}

stop() {
  cluster_dir "${1:-}"
  [ -e "$dir/data/postmaster.pid" ] || return 0
  running || return 0
  as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 -s stop >/dev/null || die "the server in $dir did not stop within 60 s: see $dir/server.log"
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  start) start "$@" ;;
  stop) stop "$@" ;;
  url) cluster_dir "${1:-}"; url ;;
  psql) cluster_dir "${1:-}"; shift; superuser_psql "$@" ;;
  *) usage ;;
esac
