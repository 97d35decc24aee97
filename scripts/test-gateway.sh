#!/usr/bin/env bash
# The gateway tests: installs the official `openai` Python client, pytest (+ pytest-timeout),
# selenium and xllamacpp (pinned, from PyPI) into the project venv `.venv` (created when missing)
# and Debian's chromium and chromium-driver (the HTML reports open in a real browser), builds
# the `govai` binary, and runs pytest on tests/gateway: `govai serve` processes, a llama.cpp
# server (xllamacpp with the Qwen2.5 0.5B GGUF of models/, `make models`) and a recording proxy,
# all started by the tests on 127.0.0.1 and stopped in teardown, even on failure.
# Bounded: each test by pytest-timeout (tests/gateway/pytest.ini), the whole run by
# GOVAI_GATEWAY_TIMEOUT seconds (default 1800).
# Environment: PYTHON (to create the venv), CARGO_TARGET_DIR, GOVAI_PROFILE (debug | release,
# default debug), GOVAI_REQUIRE_MODELS=1 (fail instead of skipping the llama.cpp tests when the
# GGUF or xllamacpp is missing); extra arguments go to pytest (e.g. -k keys).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
python="${PYTHON:-python3}"
venv="$root/.venv"
export CARGO_TARGET_DIR="$target_dir"
profile="${GOVAI_PROFILE:-debug}"
budget="${GOVAI_GATEWAY_TIMEOUT:-1800}"

# Pinned, all published on PyPI.
OPENAI_VERSION="3.51.0"
PYTEST_VERSION="9.2.0"          # as requirements-dev.txt
PYTEST_TIMEOUT_VERSION="2.4.0"
SELENIUM_VERSION="4.50.0"   # 4.51+ need a certifi newer than the registry has

started=$(date +%s)

if ! command -v curl >/dev/null 2>&1; then
    step "installing curl (the README's curl examples run in the tests)"
    apt_install curl "curl is missing: install it (Debian: apt-get install curl)"
fi

# The HTML reports are opened in headless Chromium (Debian's, with its driver; CJK fonts for the
# screenshots); selenium is pointed at /usr/bin/chromedriver and downloads nothing.
for pkg in chromium chromium-driver fonts-wqy-zenhei; do
    if ! dpkg -s "$pkg" >/dev/null 2>&1; then
        step "installing $pkg (the report pages are opened in a real browser)"
        apt_install "$pkg" "$pkg is missing: install it (Debian: apt-get install $pkg)"
    fi
done

if [ ! -x "$venv/bin/python" ]; then
    step "creating $venv"
    "$python" -m venv "$venv"
fi
vpy="$venv/bin/python"

step "installing openai==$OPENAI_VERSION, pytest, pytest-timeout, selenium, xllamacpp (pinned) into .venv"
"$vpy" -m pip install --quiet --disable-pip-version-check \
    "openai==$OPENAI_VERSION" "pytest==$PYTEST_VERSION" "pytest-timeout==$PYTEST_TIMEOUT_VERSION" \
    "selenium==$SELENIUM_VERSION" \
    --only-binary=xllamacpp -r "$root/tools/requirements-llamacpp.txt"

step "cargo build -p govai-cli --bin govai ($profile)"
if [ "$profile" = release ]; then
    cargo build --release -p govai-cli --bin govai
else
    cargo build -p govai-cli --bin govai
fi
export GOVAI_BIN="$target_dir/$profile/govai"

step "pytest tests/gateway (each test <= 300 s, all <= ${budget} s)"
cd "$root"
timeout -k 15 "$budget" "$vpy" -m pytest tests/gateway "$@"

printf '\nGateway tests passed in %ss.\n' "$(( $(date +%s) - started ))"
