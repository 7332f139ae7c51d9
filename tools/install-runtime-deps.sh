#!/usr/bin/env bash
# System libraries the site itself needs at run time (Debian): WeasyPrint draws the PDF
# documents with pango and subsets their fonts with HarfBuzz; DejaVu Sans, embedded in every
# PDF, covers Latin, Greek, Cyrillic, Arabic and Hebrew, and WenQuanYi Zen Hei covers Chinese
# (the interface's and documents' words in Chinese, and contributions written in it). Installs only what is missing, so
# `make run` on a machine that has them runs no apt at all.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v dpkg >/dev/null; then
  echo "not Debian: install pango, HarfBuzz (with its subset library), DejaVu Sans and WenQuanYi Zen Hei yourself for PDF documents" >&2
  exit 0
fi
needed=()
for package in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-wqy-zenhei; do
  dpkg -s "$package" >/dev/null 2>&1 || needed+=("$package")
done
if [ ${#needed[@]} -gt 0 ]; then
  echo "installing: ${needed[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
fi
