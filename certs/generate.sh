#!/usr/bin/env bash
# Development PKI for the VTN: a CA, a server certificate and VEN client certificates, plus an RSA
# key for signing access tokens. Nothing it writes is committed (certs/out/ is ignored).
#
#   certs/generate.sh [--out DIR] [--host NAME]... [VEN_NAME ...]
#
# Defaults: DIR=certs/out, server names localhost and 127.0.0.1, one VEN named ven-1.
# Re-running keeps an existing CA, so certificates it signed stay valid; server and VEN
# certificates are (re)issued. Each VEN's OpenADR 2.0b fingerprint (the last 10 bytes of the
# certificate's SHA-256, colon-separated) is printed and written next to its certificate.
set -euo pipefail

out="$(dirname "$0")/out"
hosts=()
vens=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2;;
    --host) hosts+=("$2"); shift 2;;
    -h|--help) sed -n '2,12p' "$0"; exit 0;;
    *) vens+=("$1"); shift;;
  esac
done
[ ${#hosts[@]} -gt 0 ] || hosts=(localhost 127.0.0.1)
[ ${#vens[@]} -gt 0 ] || vens=(ven-1)
command -v openssl >/dev/null || { echo "certs/generate.sh needs openssl (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$out"
umask 077

if [ ! -s "$out/ca.key" ] || [ ! -s "$out/ca.crt" ]; then
  openssl req -x509 -new -newkey rsa:3072 -nodes -sha256 -days 3650 \
    -subj "/O=Loadshift development/CN=Loadshift development CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$out/ca.key" -out "$out/ca.crt" 2>/dev/null
  echo "CA:          $out/ca.crt"
fi

issue() { # name subject extensions-file
  local name="$1" subject="$2" ext="$3"
  openssl req -new -newkey rsa:2048 -nodes -subj "$subject" -keyout "$out/$name.key" -out "$out/$name.csr" 2>/dev/null
  openssl x509 -req -in "$out/$name.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
    -days 825 -sha256 -extfile "$ext" -out "$out/$name.crt" 2>/dev/null
  rm -f "$out/$name.csr"
}

san=""
for h in "${hosts[@]}"; do
  if [[ "$h" =~ ^[0-9.]+$ || "$h" == *:* ]]; then san+="IP:$h,"; else san+="DNS:$h,"; fi
done
ext="$(mktemp)"; trap 'rm -f "$ext"' EXIT
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "${san%,}" > "$ext"
issue server "/O=Loadshift development/CN=${hosts[0]}" "$ext"
echo "server:      $out/server.crt ($out/server.key) for ${hosts[*]}"

printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' > "$ext"
for v in "${vens[@]}"; do
  [[ "$v" =~ ^[A-Za-z0-9._-]{1,64}$ ]] || { echo "bad VEN name '$v' (A-Z a-z 0-9 . _ -, up to 64)" >&2; exit 1; }
  issue "$v" "/O=Loadshift development/CN=$v" "$ext"
  fp=$(openssl x509 -in "$out/$v.crt" -outform DER | openssl dgst -sha256 -r | cut -c45-64 | tr a-f A-F | sed 's/../&:/g; s/:$//')
  echo "$fp" > "$out/$v.fingerprint"
  echo "VEN $v: $out/$v.crt ($out/$v.key) fingerprint $fp"
done

if [ ! -s "$out/jwt-signing.pem" ]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$out/jwt-signing.pem" 2>/dev/null
  echo "token key:   $out/jwt-signing.pem (VTN_JWT_KEY_FILE)"
fi
chmod 600 "$out"/*.key "$out/jwt-signing.pem"
chmod 644 "$out"/*.crt
