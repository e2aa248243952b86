# SPDX-License-Identifier: GPL-2.0
#
# What a tc command asks the kernel, read back from the wire: run tc under strace, dump the
# bytes of every netlink message it sends, and decode the TCA_OPTIONS nest of the
# RTM_NEWQDISC / RTM_NEWTCLASS request. Lets host tests check what a tc plugin encodes even
# where the kernel does not know the qdisc. Load after common: `load ../lib/tc-request`.
#
#   tc_request OUTVAR tc ARGS...   run tc (status in $tc_status, stderr in $tc_stderr) and
#                                  set OUTVAR to the decoded options, one attribute a line:
#                                  "nest" (when NLA_F_NESTED is set), then "TYPE HEXBYTES"
#                                  with the payload bytes in wire (little-endian) order.
#                                  "none" when tc sent no qdisc/class request at all.
#   le32 N / le64 N / le8 N        N as the hex bytes of a little-endian u32 / u64 / u8.

require_strace() { command -v strace >/dev/null || skip "needs strace (run scripts/deps)"; }

le8() { printf '%02x' "$1"; }
le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
le64() { printf '%s%s' "$(le32 $(($1 & 0xffffffff)))" "$(le32 $(($1 >> 32 & 0xffffffff)))"; }

# The decoder: strace's "-e write=all" hex dump → the options of the first tc request.
_tc_request_awk='
function flush(   i, len, type, off, alen, atype, end, ioff, ilen, itype, hex, j) {
	if (n < 36 || done)
		{ n = 0; return }
	type = b[4] + 256 * b[5]
	if (type != 36 && type != 40)	# RTM_NEWQDISC, RTM_NEWTCLASS
		{ n = 0; return }
	done = 1
	len = b[0] + 256 * b[1]
	off = 36			# nlmsghdr (16) + struct tcmsg (20)
	while (off + 4 <= len) {
		alen = b[off] + 256 * b[off + 1]
		atype = b[off + 2] + 256 * b[off + 3]
		if (alen < 4)
			break
		if (atype % 16384 == 2) {	# TCA_OPTIONS, flags masked off
			if (atype >= 32768)
				print "nest"
			ioff = off + 4
			end = off + alen
			while (ioff + 4 <= end) {
				ilen = b[ioff] + 256 * b[ioff + 1]
				itype = b[ioff + 2] + 256 * b[ioff + 3]
				if (ilen < 4)
					break
				hex = ""
				for (j = ioff + 4; j < ioff + ilen; j++)
					hex = hex sprintf("%02x", b[j])
				print itype, hex
				ioff += int((ilen + 3) / 4) * 4
			}
		}
		off += int((alen + 3) / 4) * 4
	}
	n = 0
}
function hexbyte(s) { return (index(HEX, substr(s, 1, 1)) - 1) * 16 + index(HEX, substr(s, 2, 1)) - 1 }
BEGIN { n = 0; done = 0; HEX = "0123456789abcdef" }
/^ \* [0-9]+ bytes in buffer/ { flush(); next }
/^ \| [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / {
	cnt = split(substr($0, 11, 48), h, " ")
	for (i = 1; i <= cnt; i++)
		b[n++] = hexbyte(h[i])
	next
}
{ flush() }
END { flush(); if (!done) print "none" }
'

tc_request() {
	local __var=$1 log
	shift
	log=$(mktemp)
	tc_stderr=$(t strace -qq -f -o "$log" -e trace=sendmsg -e write=all -s 0 "$@" 2>&1 >/dev/null) &&
		tc_status=0 || tc_status=$?
	printf -v "$__var" '%s' "$(awk "$_tc_request_awk" "$log")"
	rm -f "$log"
}
