# free-port.sh: free_port, for every script here that starts a server
# (sourced by tests/bats/helpers.bash, tests/chaos/run, tests/bench/*).
#
# free_port prints a port nothing listens on.  It picks one below the
# kernel's range for client ports (ip_local_port_range): a port above it
# that looks free can be any connection's local end by the time the server
# binds it ("Address already in use").
free_port() {
	local lo=32768 p
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
	[ "$lo" -gt 11000 ] 2>/dev/null || lo=32768
	for _ in $(seq 1 50); do
		p=$((10000 + RANDOM % (lo - 10000)))
		(echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo "$p"; return 0; }
	done
	return 1
}
