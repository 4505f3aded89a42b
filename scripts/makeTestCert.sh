#!/bin/sh
# Rebuilds the self-signed certificate the HTTPS transport test serves on 127.0.0.1
# (test/fixtures/tls/). Test-only: it guards nothing, and its key is public on purpose.
set -eu
dir="$(dirname "$0")/../test/fixtures/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$dir/key.pem" -out "$dir/cert.pem"
