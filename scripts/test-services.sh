#!/usr/bin/env bash
# Install and start what the test suite needs beyond Python: Debian's Chromium, Debian's
# redis-server (the rate-limit tests start their own on a free port) and, when asked
# (--postgres), a local PostgreSQL with a database for the tests.
# Prints the PostgreSQL URL on its last line when --postgres is given.
set -euo pipefail

want_postgres=false
[ "${1:-}" = "--postgres" ] && want_postgres=true

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

packages=()
command -v chromium >/dev/null || packages+=(chromium)
command -v redis-server >/dev/null || packages+=(redis-server)
if $want_postgres && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  packages+=(postgresql)
fi
if [ ${#packages[@]} -gt 0 ]; then
  echo "Installing ${packages[*]} with apt-get" >&2
  if ! { as_root apt-get update -qq >&2 &&
         as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >&2; }; then
    [ "${CI:-}" = "true" ] && { echo "Could not install ${packages[*]}" >&2; exit 1; }
    echo "warning: could not install ${packages[*]}; the tests that need them will be skipped" >&2
  fi
fi

if $want_postgres; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    as_root pg_createcluster "$version" main >&2
  fi
  as_root pg_ctlcluster "$version" main start >&2 2>/dev/null || true
  for _ in $(seq 1 30); do
    as_root su postgres -c "pg_isready -q" && break
    sleep 1
  done
  as_root su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='leaders'\"" | grep -q 1 \
    || as_root su postgres -c "psql -qc \"CREATE ROLE leaders LOGIN PASSWORD 'leaders' CREATEDB\"" >&2
  as_root su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='leaders_test'\"" | grep -q 1 \
    || as_root su postgres -c "createdb -O leaders leaders_test" >&2
  echo "postgresql://leaders:leaders@127.0.0.1:5432/leaders_test"
fi
