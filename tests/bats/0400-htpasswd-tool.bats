#!/usr/bin/env bats
# torc-htpasswd: the file format round trips both ways with Apache's
# htpasswd, files are private and rewritten atomically with comments and
# order kept, bad user names are refused, exit codes are as documented.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	T="$ROOT/build/sbin/torc-htpasswd"
	F="$BATS_TEST_TMPDIR/htpasswd"
	[ -x "$T" ] || skip "build/sbin/torc-htpasswd not built"
	unset USER USERNAME
}

# add_user FILE USER PASSWORD [more args]: cost 4 to keep the suite fast.
add_user() {
	local f="$1" u="$2" p="$3"
	shift 3
	printf '%s\n' "$p" | "$T" add --cost 4 --password-stdin "$@" "$f" "$u"
}

@test "help: the tool and every command answer --help with exit 0" {
	run "$T" --help
	[ "$status" -eq 0 ]
	[[ "$output" == usage:* ]]
	for c in add verify remove list hash; do
		run "$T" "$c" --help
		[ "$status" -eq 0 ]
		[[ "$output" == "usage: torc-htpasswd $c"* ]]
		run "$T" "$c" -h
		[ "$status" -eq 0 ]
	done
	run "$T" help
	[ "$status" -eq 0 ]
}

@test "usage errors exit 100 with a fatal message" {
	run -100 "$T"
	run -100 "$T" frobnicate
	[[ "$output" == "torc-htpasswd: fatal: unknown command 'frobnicate'"* ]]
	run -100 "$T" add --bogus "$F" alice
	[[ "$output" == *"unknown option '--bogus'"* ]]
	run -100 "$T" add "$F"
	run -100 "$T" list
	run -100 "$T" list "$F" extra
	run -100 "$T" remove "$F"
	run -100 "$T" add --cost
	for c in 3 32 abc 12x ""; do
		run -100 "$T" add --cost "$c" --password-stdin "$F" alice <<<"pw"
		[[ "$output" == *"cost must be between 4 and 31"* ]]
		run -100 "$T" hash --cost "$c" --password-stdin alice <<<"pw"
	done
	run -100 "$T" add --password pw --password-stdin "$F" alice <<<"pw"
	run -100 "$T" add -x "$F" alice
	[ ! -e "$F" ]
	# Short options take attached values too.
	run -0 --separate-stderr "$T" add -c4 -f"$F" --password-stdin alice <<<"pw"
	grep -q '^alice:\$2b\$04\$' "$F"
}

@test "add creates a 0600 file with a \$2b\$ line at the default cost 12" {
	umask 022
	run "$T" add --password-stdin "$F" alice <<<"s3cret"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Added user 'alice' to \"$F\""* ]]
	[ "$(stat -c %a "$F")" = 600 ]
	[ "$(wc -l <"$F")" -eq 1 ]
	grep -Eq '^alice:\$2b\$12\$[./A-Za-z0-9]{53}$' "$F"
}

@test "our add makes lines Apache's htpasswd -v accepts" {
	add_user "$F" alice 's3cret'
	add_user "$F" bob 'pa:ss:w0rd with spaces'
	run htpasswd -vb "$F" alice 's3cret'
	[ "$status" -eq 0 ]
	run htpasswd -vb "$F" bob 'pa:ss:w0rd with spaces'
	[ "$status" -eq 0 ]
	run htpasswd -vb "$F" alice 'wrong'
	[ "$status" -ne 0 ]
	run htpasswd -vb "$F" bob 'pa:ss'
	[ "$status" -ne 0 ]
}

@test "Apache's htpasswd -B lines pass our verify; wrong passwords exit 1" {
	htpasswd -cbB -C 4 "$F" alice 's3cret' 2>/dev/null
	htpasswd -nbB -C 5 bob 'b0b:pw' | grep . >>"$F"
	grep -q '^alice:\$2y\$04\$' "$F"
	run --separate-stderr "$T" verify --password-stdin "$F" alice <<<"s3cret"
	[ "$status" -eq 0 ]
	[ "$output" = "Password is correct for user 'alice'" ]
	run -0 "$T" verify --password-stdin "$F" bob <<<"b0b:pw"
	run --separate-stderr "$T" verify --password-stdin "$F" alice <<<"wrong"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "torc-htpasswd: fatal: password is incorrect for user 'alice'" ]
	run -1 "$T" verify --password-stdin "$F" nobody <<<"s3cret"
	[[ "$output" == *"user 'nobody' not found"* ]]
}

@test "hash prints user:hash that Apache verifies, and touches no file" {
	mkdir "$BATS_TEST_TMPDIR/cwd" && cd "$BATS_TEST_TMPDIR/cwd"
	run --separate-stderr "$T" hash --cost 4 --password-stdin carol <<<"c4rol"
	[ "$status" -eq 0 ]
	[ -z "$(ls -A)" ]
	[[ "$output" =~ ^carol:\$2b\$04\$[./A-Za-z0-9]{53}$ ]]
	[[ "$stderr" == *"Hashing password (cost=4)"* ]]
	[[ "$stderr" == *"Send the line above"* ]]
	printf '%s\n' "$output" >"$F"
	run -0 htpasswd -vb "$F" carol c4rol
	run -0 "$T" verify --password-stdin "$F" carol <<<"c4rol"
}

@test "hash takes USER, then \$USER, then \$USERNAME" {
	run -0 --separate-stderr env USER=envuser "$T" hash -c 4 --password-stdin <<<"pw"
	[[ "$output" == 'envuser:$2b$04$'* ]]
	run -0 --separate-stderr env -u USER USERNAME=winuser "$T" hash -c 4 --password-stdin <<<"pw"
	[[ "$output" == 'winuser:$2b$04$'* ]]
	run -0 --separate-stderr env USER=envuser "$T" hash -c 4 --password-stdin explicit <<<"pw"
	[[ "$output" == 'explicit:$2b$04$'* ]]
	run -100 env -u USER -u USERNAME "$T" hash -c 4 --password-stdin <<<"pw"
	[[ "$output" == *'could not read one from $USER or $USERNAME'* ]]
}

@test "verify refuses non-bcrypt lines even with the right password" {
	{
		htpasswd -nbd des despw
		htpasswd -nbm md5 md5pw
		htpasswd -nbs sha shapw
		echo 'plain:plainpw'
		echo 'x2:$2x$04$u3kHIf0njYkIJgEUzb9/qecDwVb/gmS8o7BDwe4V5KpZwFfgSxi4a'
	} 2>/dev/null | grep . >"$F"
	for u in des md5 sha plain x2; do
		run -1 "$T" verify --password-stdin "$F" "$u" <<<"${u}pw"
		[[ "$output" == *"torc-server refuses"* ]]
	done
	run -1 "$T" verify --password-stdin "$F" x2 <<<"alicepw"
}

@test "add and remove keep comments, blank lines, other lines and order" {
	htpasswd -nbB -C 4 bob bobpw 2>/dev/null | grep . >"$BATS_TEST_TMPDIR/bob"
	htpasswd -nbB -C 4 dave davepw 2>/dev/null | grep . >"$BATS_TEST_TMPDIR/dave"
	{
		echo '# Torc users'
		echo
		cat "$BATS_TEST_TMPDIR/bob"
		echo '  # indented comment'
		echo 'carol:$apr1$Xzda/z6v$mmVH3NQ4Q74b2liO0fEi9.'
		echo 'junk line without colon'
		cat "$BATS_TEST_TMPDIR/dave"
	} >"$F"
	cp "$F" "$BATS_TEST_TMPDIR/orig"

	# Replace carol's MD5 line in place.
	run -0 add_user "$F" carol c4rol
	[[ "$output" == *"Updated user 'carol'"* ]]
	[ "$(sed -n 5p "$F" | cut -d: -f1)" = carol ]
	grep -q '^carol:\$2b\$04\$' "$F"
	diff <(sed 5d "$F") <(sed 5d "$BATS_TEST_TMPDIR/orig")
	# Apache's htpasswd gives up on a file with a junk line: check a copy.
	grep -v '^junk' "$F" >"$BATS_TEST_TMPDIR/clean"
	run -0 htpasswd -vb "$BATS_TEST_TMPDIR/clean" carol c4rol

	# Append a new user at the end.
	run -0 add_user "$F" erin 3rin
	[[ "$output" == *"Added user 'erin'"* ]]
	[ "$(tail -n 1 "$F" | cut -d: -f1)" = erin ]
	[ "$(wc -l <"$F")" -eq 8 ]

	# Remove bob: only his line goes.
	run -0 "$T" remove "$F" bob
	[[ "$output" == *"Removed user 'bob'"* ]]
	! grep -q '^bob:' "$F"
	[ "$(sed -n 1p "$F")" = '# Torc users' ]
	[ "$(sed -n 2p "$F")" = '' ]
	[ "$(sed -n 3p "$F")" = '  # indented comment' ]
	grep -qx 'junk line without colon' "$F"
	grep -qxF "$(cat "$BATS_TEST_TMPDIR/dave")" "$F"

	run -0 --separate-stderr "$T" list "$F"
	[ "$output" = "$(printf 'carol\ndave\nerin')" ]
	[[ "$stderr" == *"line 5: no ':'"* ]]
}

@test "list prints one user per line and nothing else on stdout" {
	add_user "$F" alice a
	add_user "$F" bob b
	echo 'sha:{SHA}qs67vlse11GdWHE+bbh7CYDxCOs=' >>"$F"
	htpasswd -nbB -C 4 alice other 2>/dev/null | grep . >>"$F"
	run -0 --separate-stderr "$T" list "$F"
	[ "$output" = "$(printf 'alice\nbob\nsha')" ]
	[[ "$stderr" == *"user 'sha' has a SHA1 hash, which torc-server refuses"* ]]
	[[ "$stderr" == *"user 'alice' again; line 1 wins"* ]]
	run -0 --separate-stderr "$T" list --file "$F"
	[ "$output" = "$(printf 'alice\nbob\nsha')" ]
	: >"$F"
	run -0 --separate-stderr "$T" list "$F"
	[ -z "$output" ]
}

@test "duplicates: the first line counts, add replaces it and drops the rest" {
	htpasswd -nbB -C 4 alice first 2>/dev/null | grep . >"$F"
	htpasswd -nbB -C 4 alice second 2>/dev/null | grep . >>"$F"
	run -0 "$T" verify --password-stdin "$F" alice <<<"first"
	run -1 "$T" verify --password-stdin "$F" alice <<<"second"
	add_user "$F" alice third
	[ "$(grep -c '^alice:' "$F")" -eq 1 ]
	run -0 "$T" verify --password-stdin "$F" alice <<<"third"
}

@test "rewrites are atomic: a new inode, mode and symlink kept, no temp files" {
	add_user "$F" alice a
	chmod 640 "$F"
	before=$(stat -c %i "$F")
	add_user "$F" bob b
	[ "$(stat -c %i "$F")" != "$before" ]
	[ "$(stat -c %a "$F")" = 640 ]
	run -0 "$T" remove "$F" alice
	[ "$(stat -c %a "$F")" = 640 ]
	[ "$(ls -A "$BATS_TEST_TMPDIR" | grep -c '^\.htpasswd')" -eq 0 ]

	ln -s "$F" "$BATS_TEST_TMPDIR/link"
	add_user "$BATS_TEST_TMPDIR/link" carol c
	[ -L "$BATS_TEST_TMPDIR/link" ]
	grep -q '^carol:' "$F"
}

@test "CRLF line ends and a UTF-8 BOM survive a rewrite" {
	htpasswd -nbB -C 4 bob bobpw 2>/dev/null | grep . | tr -d '\n' >"$BATS_TEST_TMPDIR/bob"
	printf '\xef\xbb\xbf# users\r\n%s\r\n' "$(cat "$BATS_TEST_TMPDIR/bob")" >"$F"
	run -0 "$T" verify --password-stdin "$F" bob <<<"bobpw"
	add_user "$F" alice a
	[ "$(head -c 3 "$F" | od -An -tx1 | tr -d ' ')" = efbbbf ]
	[ "$(grep -c $'\r$' "$F")" -eq 3 ]
	run -0 "$T" verify --password-stdin "$F" alice <<<"a"
	run -0 "$T" verify --password-stdin "$F" bob <<<"bobpw"
}

@test "user names with ':', control characters, '#' or edge spaces are refused" {
	add_user "$F" alice a
	cp "$F" "$BATS_TEST_TMPDIR/orig"
	for u in '' 'a:b' $'a\tb' $'a\nb' $'a\rb' $'a\x7fb' '#root' ' lead' 'trail '; do
		run -100 add_user "$F" "$u" pw
		run -100 "$T" hash -c 4 --password-stdin "$u" <<<"pw"
	done
	cmp "$F" "$BATS_TEST_TMPDIR/orig"
	run -100 add_user "$F" "$(printf 'u%.0s' {1..257})" pw
	run -0 add_user "$F" "$(printf 'u%.0s' {1..256})" pw
	run -0 "$T" verify --password-stdin "$F" "$(printf 'u%.0s' {1..256})" <<<"pw"
	# UTF-8 names are fine (Apache's line buffer is too short for the above).
	run -0 add_user "$BATS_TEST_TMPDIR/utf8" 'Ünïcode.user@example.org' pw
	run -0 htpasswd -vb "$BATS_TEST_TMPDIR/utf8" 'Ünïcode.user@example.org' pw
}

@test "refused or failed operations exit 1 and leave the file alone" {
	run -1 "$T" remove "$F" alice
	[[ "$output" == "torc-htpasswd: fatal: cannot open $F: No such file or directory" ]]
	run -1 "$T" list "$F"
	run -1 "$T" verify --password-stdin "$F" alice <<<"pw"
	add_user "$F" alice a
	cp "$F" "$BATS_TEST_TMPDIR/orig"
	run -1 "$T" remove "$F" bob
	[ "$output" = "torc-htpasswd: fatal: user 'bob' not found in $F" ]
	run -1 add_user "$F" bob ''
	[[ "$output" == *"empty password refused"* ]]
	run -1 "$T" add -c 4 --password-stdin "$F" bob </dev/null
	[[ "$output" == *"no password on standard input"* ]]
	run -1 add_user "$F" bob "$(printf 'p%.0s' {1..1025})"
	[[ "$output" == *"longer than 1024 bytes"* ]]
	cmp "$F" "$BATS_TEST_TMPDIR/orig"
	# A missing file is not created by a failed add.
	run -1 add_user "$BATS_TEST_TMPDIR/new" bob ''
	[ ! -e "$BATS_TEST_TMPDIR/new" ]
	# A folder that cannot be written: a system failure, 111 (not as root).
	if [ "$(id -u)" -ne 0 ]; then
		mkdir "$BATS_TEST_TMPDIR/ro" && chmod 500 "$BATS_TEST_TMPDIR/ro"
		run -111 add_user "$BATS_TEST_TMPDIR/ro/f" bob b
	fi
	run -111 add_user "$BATS_TEST_TMPDIR/no/such/dir/f" bob b
}

@test "--password works with a warning; no terminal and no --password-stdin is a usage error" {
	run -0 --separate-stderr "$T" add -c 4 --password 'pw:x' "$F" alice
	[[ "$stderr" == *"warning: --password shows the password in process lists"* ]]
	run -0 htpasswd -vb "$F" alice 'pw:x'
	run -0 "$T" verify -p 'pw:x' -f "$F" alice
	run -100 setsid -w "$T" add -c 4 "$F" bob </dev/null
	[[ "$output" == *"cannot open /dev/tty"*"--password-stdin"* ]]
	run -100 setsid -w "$T" verify "$F" alice </dev/null
	run -0 "$T" verify --password-stdin "$F" alice <<<$'pw:x\r'
}

@test "the terminal prompt is silent, asked twice, and must match" {
	command -v python3 >/dev/null || skip "python3 needed for a pty"
	cat >"$BATS_TEST_TMPDIR/ptyrun.py" <<'EOF'
import os, pty, sys, time
args, inputs = sys.argv[1:sys.argv.index('--')], sys.argv[sys.argv.index('--') + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(args[0], args)
out = b''
for s in inputs:
    deadline = time.time() + 10
    while b'assword' not in out.split(b'\n')[-1] and time.time() < deadline:
        try:
            out += os.read(fd, 1024)
        except OSError:
            break
    os.write(fd, s.encode() + b'\n')
    out += b'\n'
while True:
    try:
        d = os.read(fd, 1024)
    except OSError:
        break
    if not d:
        break
    out += d
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
sys.exit(os.waitstatus_to_exitcode(st))
EOF
	run -0 python3 "$BATS_TEST_TMPDIR/ptyrun.py" "$T" add -c 4 "$F" alice -- 'hidden:pw' 'hidden:pw'
	[[ "$output" == *"Password for 'alice':"* ]]
	[[ "$output" == *"Retype password for 'alice':"* ]]
	[[ "$output" != *hidden* ]]
	run -0 htpasswd -vb "$F" alice 'hidden:pw'
	run -1 python3 "$BATS_TEST_TMPDIR/ptyrun.py" "$T" add -c 4 "$F" bob -- 'one' 'two'
	[[ "$output" == *"passwords do not match"* ]]
	! grep -q '^bob:' "$F"
	run -0 python3 "$BATS_TEST_TMPDIR/ptyrun.py" "$T" verify "$F" alice -- 'hidden:pw'
	[[ "$output" != *hidden* ]]
}

@test "concurrent adds lose no user (the rewrite holds a lock)" {
	for i in $(seq 1 12); do
		add_user "$F" "user$i" "pw$i" >/dev/null 2>&1 &
	done
	wait
	[ "$("$T" list "$F" | wc -l)" -eq 12 ]
	for i in 1 7 12; do
		run -0 htpasswd -vb "$F" "user$i" "pw$i"
	done
	[ "$(ls -A "$BATS_TEST_TMPDIR" | grep -c '^\.htpasswd')" -eq 0 ]
}

@test "list warns about a cost above the server's maximum" {
	echo 'alice:$2b$15$u3kHIf0njYkIJgEUzb9/qecDwVb/gmS8o7BDwe4V5KpZwFfgSxi4a' >"$F"
	run -0 --separate-stderr "$T" list "$F"
	[ "$output" = alice ]
	[[ "$stderr" == *"user 'alice' has cost 15, above 14, which torc-server refuses"* ]]
}
