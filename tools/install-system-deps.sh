#!/usr/bin/env bash
# System packages the test suite needs (Debian): Chromium for browser tests, Java for the
# Nu HTML checker, Node.js for the test OpenID provider, PostgreSQL client tools, nginx for the
# micro-cache test (deploy/nginx.conf in front of the site), LibreOffice (Writer, Calc, Draw) to
# prove every DOCX, XLSX and PDF document opens, poppler's pdftotext to read the PDFs back,
# systemd-analyze for deploy/'s units. Installs
# only what is missing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
needed=()
command -v chromium >/dev/null || needed+=(chromium)
command -v java >/dev/null || needed+=(openjdk-17-jre-headless)
command -v pg_isready >/dev/null || needed+=(postgresql-client)
command -v npm >/dev/null || needed+=(nodejs npm)  # the OpenID provider and the HTML checker come from npm
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || needed+=(nginx-light)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || needed+=(fonts-dejavu-core)
# Without Calc, LibreOffice refuses an xlsx ("source file could not be loaded").
dpkg -s libreoffice-writer-nogui >/dev/null 2>&1 || needed+=(libreoffice-writer-nogui)
dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 || needed+=(libreoffice-calc-nogui)
# Draw imports a PDF, so LibreOffice can open the PDF documents too.
dpkg -s libreoffice-draw-nogui >/dev/null 2>&1 || needed+=(libreoffice-draw-nogui)
command -v pdftotext >/dev/null || needed+=(poppler-utils)
# systemd-analyze verifies deploy/'s units and rates their hardening (offline, no systemd running).
command -v systemd-analyze >/dev/null || needed+=(systemd)
if [ ${#needed[@]} -gt 0 ]; then
  echo "installing: ${needed[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
fi
chromium --version 2>/dev/null | head -1 || true
java -version 2>&1 | head -1
soffice --version 2>/dev/null | head -1 || true
