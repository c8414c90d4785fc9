#!/usr/bin/env bash
# Installs Debian 12's PostgreSQL 15 server and client (binaries in /usr/lib/postgresql/15/bin) for the tests and
# benchmarks. They run their own throwaway clusters with scripts/postgres.sh, so the distro's "main" cluster is not
# wanted: before a first install of postgresql-common, a drop-in tells its postinst not to create one (and, with no
# cluster, its service starts nothing). An existing installation and its clusters are left as they are.
# Idempotent: apt-get runs only when a package is missing (scripts/apt-install.sh); sudo only when not root.
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"

if ! dpkg-query -W -f='${Status}' postgresql-common 2>/dev/null | grep -q "install ok installed"; then
  # Read through the include_dir line of Debian's createcluster.conf by pg_conftool in postgresql-15's postinst.
  $sudo_cmd mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" | $sudo_cmd tee /etc/postgresql-common/createcluster.d/vision-no-main-cluster.conf >/dev/null
fi

bash "$(dirname "$0")/apt-install.sh" postgresql-15 postgresql-client-15

for tool in initdb pg_ctl postgres psql; do
  if [ ! -x "$bin/$tool" ]; then
    echo "install-postgres: $bin/$tool is missing after installing postgresql-15 and postgresql-client-15: check those packages (dpkg -L postgresql-15)" >&2
    exit 2
  fi
done
