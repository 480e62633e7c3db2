#!/usr/bin/env bash
# make-certs.sh CA_DIR AGENT_NAME OUT_DIR
#
# Certificates of the TLS transport (transport-bundles/tls), made with openssl:
#   CA_DIR/ca.pem, CA_DIR/ca.key   the cluster CA (EC P-256, 10 years), created only when missing;
#                                  copy CA_DIR to every host that makes agent certificates, and keep
#                                  ca.key nowhere else.
#   OUT_DIR/ca.pem                 the cluster CA's certificate: the only issuer an agent trusts
#   OUT_DIR/agent.pem, agent.key   the agent's certificate and key (EC P-256, 2 years, key mode 0600):
#                                  subject CN=AGENT_NAME, SAN DNS:AGENT_NAME plus IP:<each address in
#                                  HAUL_CERT_IPS, comma-separated>, usable as TLS server and client.
# Agents reach each other by IP address, so peers are identified by the certificate's CN (the agent
# name), checked by the transport against the agent it meant to reach, not by host name.
#
# Idempotent: an agent certificate that is signed by this CA, names this agent and these addresses, and
# is valid for 30 more days is kept; otherwise a new one is made. Exit status 0 on success.
set -euo pipefail

log() { printf 'make-certs: %s\n' "$*"; }
die() { printf 'make-certs: ERROR: %s\n' "$*" >&2; exit 1; }

[ $# -eq 3 ] || die "usage: make-certs.sh CA_DIR AGENT_NAME OUT_DIR (HAUL_CERT_IPS=ip1,ip2 adds IP addresses)"
CA_DIR=$1 NAME=$2 OUT_DIR=$3
command -v openssl >/dev/null || die "openssl is not installed (apt-get install openssl)"
# The name goes into the certificate's subject: keep it to what a host name may hold.
[[ "$NAME" =~ ^[A-Za-z0-9]([A-Za-z0-9._-]{0,62})$ ]] \
    || die "agent name '$NAME' must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit"

SAN="DNS:$NAME"
IFS=',' read -r -a IPS <<< "${HAUL_CERT_IPS:-}"
for ip in "${IPS[@]}"; do
    ip="${ip// /}"
    [ -n "$ip" ] || continue
    [[ "$ip" =~ ^[0-9.]+$ || "$ip" =~ ^[0-9A-Fa-f:]+$ ]] || die "HAUL_CERT_IPS: '$ip' is not an IP address"
    SAN="$SAN,IP:$ip"
done

umask 077
mkdir -p "$CA_DIR" "$OUT_DIR"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# One maker at a time per CA folder (two agents of one host may start together).
exec 9>"$CA_DIR/.make-certs.lock"
command -v flock >/dev/null && flock 9

# --- the cluster CA -------------------------------------------------------------------------------
if [ -s "$CA_DIR/ca.pem" ] && [ -s "$CA_DIR/ca.key" ]; then
    :
elif [ -e "$CA_DIR/ca.pem" ] || [ -e "$CA_DIR/ca.key" ]; then
    die "$CA_DIR holds only one of ca.pem and ca.key: restore the other or remove both to make a new CA"
else
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/ca.key" 2>/dev/null
    openssl req -x509 -new -key "$TMP/ca.key" -sha256 -days 3650 \
        -subj "/O=Haul/CN=Haul cluster CA $(date -u +%Y%m%d%H%M%S)-$(openssl rand -hex 4)" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" \
        -out "$TMP/ca.pem"
    chmod 0600 "$TMP/ca.key"; chmod 0644 "$TMP/ca.pem"
    mv "$TMP/ca.key" "$CA_DIR/ca.key"; mv "$TMP/ca.pem" "$CA_DIR/ca.pem"
    log "created the cluster CA in $CA_DIR"
fi

# --- the agent's certificate ----------------------------------------------------------------------
current() {
    local pem=$OUT_DIR/agent.pem key=$OUT_DIR/agent.key
    [ -s "$pem" ] && [ -s "$key" ] && [ -s "$OUT_DIR/ca.pem" ] || return 1
    cmp -s "$OUT_DIR/ca.pem" "$CA_DIR/ca.pem" || return 1
    openssl verify -CAfile "$CA_DIR/ca.pem" -purpose sslserver "$pem" >/dev/null 2>&1 || return 1
    openssl verify -CAfile "$CA_DIR/ca.pem" -purpose sslclient "$pem" >/dev/null 2>&1 || return 1
    openssl x509 -in "$pem" -noout -checkend 2592000 >/dev/null || return 1
    [ "$(openssl x509 -in "$pem" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= *//p')" = "$NAME" ] || return 1
    local sans; sans=$(openssl x509 -in "$pem" -noout -ext subjectAltName 2>/dev/null | tail -n +2 | tr -d ' ')
    [ "$(tr ',' '\n' <<< "$sans" | sed 's/^IPAddress:/IP:/' | sort)" = "$(tr ',' '\n' <<< "$SAN" | sort)" ] || return 1
    [ "$(openssl x509 -in "$pem" -noout -pubkey)" = "$(openssl pkey -in "$key" -pubout 2>/dev/null)" ] || return 1
}

if current; then
    log "the certificate of agent '$NAME' in $OUT_DIR is current"
    exit 0
fi

cat > "$TMP/agent.ext" <<EOF
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = $SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
EOF
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/agent.key" 2>/dev/null
openssl req -new -key "$TMP/agent.key" -subj "/O=Haul/CN=$NAME" -out "$TMP/agent.csr"
openssl x509 -req -in "$TMP/agent.csr" -CA "$CA_DIR/ca.pem" -CAkey "$CA_DIR/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -sha256 -days 730 -extfile "$TMP/agent.ext" \
    -out "$TMP/agent.pem" 2>/dev/null
cp "$CA_DIR/ca.pem" "$TMP/ca.pem"
chmod 0600 "$TMP/agent.key"; chmod 0644 "$TMP/agent.pem" "$TMP/ca.pem"
mv "$TMP/agent.key" "$OUT_DIR/agent.key"; mv "$TMP/agent.pem" "$OUT_DIR/agent.pem"; mv "$TMP/ca.pem" "$OUT_DIR/ca.pem"
log "created the certificate of agent '$NAME' ($SAN) in $OUT_DIR"
