#!/usr/bin/env bash
# Installs the Debian packages userbuckets builds, runs and tests with. Idempotent and quick
# when everything is there already.
set -euo pipefail
packages=(
    libfcgi-dev libfcgi-bin spawn-fcgi multiwatch nginx-light
    postgresql postgresql-contrib libpq-dev
    libcurl4-openssl-dev libssl-dev libphonenumber-dev
    wrk procps curl
)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # Debian's packages start their own nginx and PostgreSQL; ours run on loopback in a
    # private folder instead, so keep the packaged services from starting.
    own_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
        own_policy=1
    fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    [ "$own_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi
