# The TLS terminator of a Glance API pod (cdk8s-glance): runs Apache httpd with glance-httpd.cfg,
# which serves HTTPS on port 9292 and proxies to glance-api on the pod's loopback address.
#
# Certificates rotate without a restart: when the kubelet updates a mounted certificate Secret
# (cert-manager renewed it, or you replaced it), this script checks that the new key matches the
# new certificate and restarts httpd gracefully (SIGUSR1): requests in flight finish, and new
# connections get the new certificate. A pair that does not match is not loaded (httpd would exit
# on it): the old certificate stays in service, and the mismatch is logged at every check.
set -u
config_dir=$(dirname "$0")
config="$config_dir/glance-httpd.cfg"
run_dir=/var/run/glance-httpd

log() { echo "glance-httpd: $*" >&2; }

httpd=
for candidate in /usr/sbin/httpd /usr/sbin/apache2; do
  if [ -x "$candidate" ]; then httpd=$candidate; break; fi
done
if [ -z "$httpd" ]; then
  log "no Apache httpd in the image (/usr/sbin/httpd or /usr/sbin/apache2): set tls.proxyImage to an image with httpd and mod_ssl"
  exit 1
fi
modules=
for candidate in /etc/httpd/modules /usr/lib64/httpd/modules /usr/lib/httpd/modules /usr/lib/apache2/modules; do
  if [ -f "$candidate/mod_ssl.so" ]; then modules=$candidate; break; fi
done
if [ -z "$modules" ]; then
  log "$httpd has no mod_ssl.so in the usual module directories: set tls.proxyImage to an image with httpd and mod_ssl"
  exit 1
fi

# The certificate files of every endpoint this pod serves.
certificates() { ls /etc/glance/tls/*/tls.crt 2>/dev/null; }
# A checksum of every certificate and key, which the kubelet swaps all at once.
fingerprint() {
  for crt in $(certificates); do cat "$crt" "${crt%.crt}.key"; done | cksum
}
# Whether each key matches its certificate (python3 is in every Glance image; without it, trust the Secret).
pairs_match() {
  command -v python3 > /dev/null || return 0
  for crt in $(certificates); do
    if ! python3 -c 'import ssl, sys; ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(sys.argv[1], sys.argv[2])' \
      "$crt" "${crt%.crt}.key" 2> /dev/null; then
      log "the key in ${crt%.crt}.key does not match the certificate in $crt: not loaded"
      return 1
    fi
  done
}

mkdir -p "$run_dir"
pairs_match || exit 1
# httpd opens its logs by path (/proc/self/fd/1 and 2), which reopens the container's stdout and
# stderr: a runtime's stdio pipes are root's (mode 0600), which this user may not open. FIFOs of
# its own in the run directory, copied to stdout and stderr, it may.
rm -f "$run_dir/stdout" "$run_dir/stderr"
mkfifo -m 600 "$run_dir/stdout" "$run_dir/stderr" || exit 1
cat "$run_dir/stdout" &
cat "$run_dir/stderr" >&2 &
"$httpd" -d "$run_dir" -f "$config" -C "Define MODULES $modules" -C "Define RUN_DIR $run_dir" -DFOREGROUND \
  > "$run_dir/stdout" 2> "$run_dir/stderr" &
pid=$!
trap 'kill -TERM "$pid" 2> /dev/null' TERM INT
loaded=$(fingerprint)
while kill -0 "$pid" 2> /dev/null; do
  sleep 10 &
  wait $!
  current=$(fingerprint)
  if [ "$current" != "$loaded" ] && pairs_match; then
    log "a certificate changed: graceful restart"
    kill -USR1 "$pid" && loaded=$current
  fi
done
wait "$pid"
