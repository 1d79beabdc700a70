#!/usr/bin/env bash
# redteam_egress.sh — web_fetch attacked with URL tricks, against loopback servers this suite
# starts (never anything else): loopback/private/metadata hosts under wildcard capabilities,
# numeric IPv4 spellings, IPv6 forms, userinfo, encoded dots and slashes, schemes, and
# redirects from an allowed prefix to other paths, ports, hosts and schemes.
. "$(dirname "$0")/../redteam/lib.sh"

if ! command -v node >/dev/null; then echo "node missing; skipping"; echo "0 passed, 0 failed"; exit 0; fi
WS=$T/ws; mkdir -p "$WS"
node "$(dirname "$0")/../redteam/redirect_server.js" "$T/log1" >"$T/port1" & RT_PIDS="$!"
node "$(dirname "$0")/../redteam/redirect_server.js" "$T/log2" >"$T/port2" & RT_PIDS="$RT_PIDS $!"
for _ in $(seq 50); do [ -s "$T/port1" ] && [ -s "$T/port2" ] && break; sleep 0.1; done
P1=$(cat "$T/port1"); P2=$(cat "$T/port2")
fetch() { local cap=$1 url=$2; run o e rc "$BA" tool call web_fetch --workspace "$WS" --cap "$cap" --args "{\"url\":\"$url\"}"; }
enc() { node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$1"; }

# sanity: an explicitly named loopback prefix works
fetch "fetch:http://127.0.0.1:$P1/ok" "http://127.0.0.1:$P1/ok/a"
check "named loopback prefix is fetched" has "ok path=/ok/a" "$o"

# ---------------------------------------------------------------- wildcard caps never reach loopback
for url in "http://127.0.0.1:$P1/secret" "http://localhost:$P1/secret" "http://[::1]:$P1/secret" \
           "http://[::ffff:127.0.0.1]:$P1/secret" "http://[::ffff:7f00:1]:$P1/secret" \
           "http://0.0.0.0:$P1/secret" "http://127.0.0.2:$P1/secret" "http://LOCALHOST:$P1/secret" \
           "http://localhost.:$P1/secret" "http://2130706433:$P1/secret" "http://0x7f000001:$P1/secret" \
           "http://0177.0.0.1:$P1/secret" "http://127.1:$P1/secret" "http://127.0.0.1.:$P1/secret" \
           "http://[0:0:0:0:0:ffff:127.0.0.1]:$P1/secret" "http://[::127.0.0.1]:$P1/secret" \
           "http://user@127.0.0.1:$P1/secret" "http://127.0.0.1%2e:$P1/secret" "http://[::1%25lo]:$P1/secret" \
           "http://169.254.169.254:$P1/secret" "http://10.0.0.1:$P1/secret" "http://192.168.1.1:$P1/secret" \
           "http://[fe80::1]:$P1/secret" "http://[fd00::1]:$P1/secret" "http://100.64.0.1:$P1/secret"; do
  fetch "fetch:http://*:$P1" "$url"
  check "wildcard cap refuses $url" [ "$rc" != 0 ]
  check "wildcard cap shows nothing of $url" hasnt REDTEAM-SECRET "$o"
  fetch "fetch:http://*.localhost:$P1" "$url"
  check "subdomain wildcard refuses $url" hasnt REDTEAM-SECRET "$o"
done
check "no request reached the server through a wildcard" [ "$(grep -c secret "$T/log1")" = 0 ]

# ---------------------------------------------------------------- prefix, scheme and form tricks
for url in "http://127.0.0.1:$P1/ok/../secret" "http://127.0.0.1:$P1/ok/%2e%2e/secret" \
           "http://127.0.0.1:$P1/ok%2f..%2fsecret" "http://127.0.0.1:$P1/ok/..%2fsecret" \
           "http://127.0.0.1:$P1/okx/../secret" "http://127.0.0.1:$P1/secret?/ok" "http://127.0.0.1:$P1/secret#/ok" \
           "http://127.0.0.1:$P1\\\\ok/../secret" "HTTP://127.0.0.1:$P1/ok/../../secret" "http://127.0.0.1:$P1//secret" \
           "file:///etc/passwd" "ftp://127.0.0.1:$P1/ok" "gopher://127.0.0.1:$P1/ok" "http://127.0.0.1:$P2/ok/a" \
           "http://127.0.0.1:0$P1/ok/a" "http://127.0.0.1:$P1 /ok/a" "http://127.0.0.1:$P1/ok/a%00/../../secret"; do
  fetch "fetch:http://127.0.0.1:$P1/ok" "$url"
  check "prefix cap: $url shows no secret" hasnt REDTEAM-SECRET "$o"
done
check "the other port was never contacted" [ ! -s "$T/log2" ]

# ---------------------------------------------------------------- redirects (re-checked on every hop)
for loc in /secret "http://127.0.0.1:$P1/ok/../secret" "http://127.0.0.1:$P2/ok/a" "http://localhost:$P1/ok/a" \
           "//127.0.0.1:$P2/ok/a" "http:/\\\\127.0.0.1:$P2/ok" "file:///etc/passwd" "gopher://127.0.0.1:$P1/" \
           "http://127.0.0.1:$P1/ok/redir?%2Fsecret" "http://169.254.169.254/latest/meta-data/" \
           "http://[::1]:$P1/ok/a" "http://user:pw@127.0.0.1:$P1/ok/a" "/ok/%2e%2e/secret" "../secret"; do
  fetch "fetch:http://127.0.0.1:$P1/ok" "http://127.0.0.1:$P1/ok/redir?$(enc "$loc")"
  check "redirect to $loc refused" hasnt REDTEAM-SECRET "$o"
  check "redirect to $loc clean" clean
done
fetch "fetch:http://127.0.0.1:$P1/ok" "http://127.0.0.1:$P1/ok/redir?$(enc "http://127.0.0.1:$P1/ok/b")"
check "redirect inside the prefix still followed" has "ok path=/ok/b" "$o"
check "never fetched /secret" [ "$(grep -c '^/secret' "$T/log1")" = 0 ]
check "port 2 never contacted via redirect" [ ! -s "$T/log2" ]
# a redirect loop stops
fetch "fetch:http://127.0.0.1:$P1/ok" "http://127.0.0.1:$P1/ok/redir?$(enc "http://127.0.0.1:$P1/ok/redir?$(enc "http://127.0.0.1:$P1/ok/redir?$(enc "http://127.0.0.1:$P1/ok/redir?$(enc "http://127.0.0.1:$P1/ok/redir?$(enc "http://127.0.0.1:$P1/ok/redir?$(enc "http://127.0.0.1:$P1/ok/redir?$(enc "http://127.0.0.1:$P1/ok/redir?$(enc "http://127.0.0.1:$P1/ok/redir?$(enc "http://127.0.0.1:$P1/ok/redir?$(enc "http://127.0.0.1:$P1/ok/redir?/ok/z")")")")")")")")")")"
check "long redirect chains end cleanly" clean

# ---------------------------------------------------------------- malformed and hostile arguments
for args in '{"url":""}' '{"url":"http://"}' '{"url":"http://[::1"}' '{"url":"http://a:99999/"}' \
            '{"url":"http://a:-1/"}' '{"url":"http://exa mple.com/"}' '{"url":"http://xn--/"}' \
            '{"url":"http://\u00e9xample.com/"}' '{"url":"http://a/","extra":1}' '{"url":1}'; do
  run o e rc "$BA" tool call web_fetch --workspace "$WS" --cap "fetch:http://*" --args "$args"
  check "malformed $args refused" [ "$rc" != 0 ]
  check "malformed $args clean" clean
done

finish
