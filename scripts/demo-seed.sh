#!/bin/sh
# Creates the demo account used by `scripts/run-local.sh` and `docker compose up`: a tenant
# (demo@quayside.test / demo-password-123), a connection to the fake ShipStation, sync settings
# that read the sample company's history, and Web Connector credentials. Safe to run again: it
# logs in when the account exists and reuses its connection. Needs only sh, curl and sed.
#   usage: demo-seed.sh <api base url> <fake ShipStation base url as the api reaches it>
set -eu
API=${1:-http://127.0.0.1:8080}
FAKE=${2:-http://127.0.0.1:8090}
EMAIL=demo@quayside.test
PASSWORD=demo-password-123

field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }

TOKEN=$(curl -sS -X POST "$API/api/v1/auth/signup" -H 'content-type: application/json' \
  -d "{\"company_name\":\"Demo Outfitters\",\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | field access_token)
if [ -z "$TOKEN" ]; then
  TOKEN=$(curl -fsS -X POST "$API/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | field access_token)
fi
AUTH="authorization: Bearer $TOKEN"
CONN=$(curl -fsS "$API/api/v1/connections" -H "$AUTH" | sed -n 's/.*"connections":\[{[^]]*"id":"\([^"]*\)".*/\1/p')
if [ -z "$CONN" ]; then
  CONN=$(curl -fsS -X POST "$API/api/v1/connections" -H "$AUTH" -H 'content-type: application/json' \
    -d "{\"name\":\"Demo ShipStation\",\"api_key\":\"demo-key\",\"api_secret\":\"demo-secret\",\"base_url\":\"$FAKE\"}" | field id)
fi
curl -fsS -X PUT "$API/api/v1/connections/$CONN/settings" -H "$AUTH" -H 'content-type: application/json' \
  -d '{"sync_from":"2020-01-01","transaction_types":["invoice","sales_receipt","sales_order"]}' >/dev/null
PAIR=$(curl -fsS -X POST "$API/api/v1/connections/$CONN/qbwc" -H "$AUTH")
QB_USER=$(echo "$PAIR" | field username)
QB_PASS=$(echo "$PAIR" | field password)

cat <<MSG
DEMO_EMAIL=$EMAIL
DEMO_PASSWORD=$PASSWORD
DEMO_CONNECTION=$CONN
DEMO_QBWC_USERNAME=$QB_USER
DEMO_QBWC_PASSWORD=$QB_PASS
MSG
