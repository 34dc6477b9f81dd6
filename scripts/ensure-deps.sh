#!/usr/bin/env bash
# Installs the Debian packages tests need when they are missing and we are root (CI and dev machines).
# Without root it only reports what is missing; the tests that need it then report themselves skipped.
set -u
need=()
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v ethtool >/dev/null 2>&1 || [ -x /usr/sbin/ethtool ] || [ -x /sbin/ethtool ] || need+=(ethtool)
# nftables and tcpreplay: the live benchmark (bench/live/run.ts) compares against them
command -v nft >/dev/null 2>&1 || [ -x /usr/sbin/nft ] || need+=(nftables)
command -v tcpreplay >/dev/null 2>&1 || need+=(tcpreplay)
# chromium: the web page tests (test/web/) drive it headless through playwright-core
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "ensure-deps: missing ${need[*]} (not root, not installing)"; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 || echo "ensure-deps: could not install ${need[*]}"
exit 0
