# The IO=1 boots (sourced by ci/boot-native and ci/boot-xen, after
# boot-lib.sh): an AHCI disk and an e1000 NIC that Linux's own drivers
# (kernel-configs/drivers.config) must move data through, and the verdict
# on what moved.  One place for the devices, the host's sink and the
# checks, for both ways of booting.
#
#   io_init NAME     before QEMU: the disk image (ci/io-sink disk), the sink
#                    (ci/io-sink serve, 127.0.0.1 only), IO_APPEND (the
#                    kernel parameters workload/previrt-io.c reads)
#   io_qemu_args     the devices, one QEMU argument per line (q35 machine:
#                    the disk sits on its built-in ICH9 AHCI, bus ide.0)
#   io_finish        after QEMU: wait for the sink's final count
#   io_check NAME    the verdict, through the caller's fail()
#
# Environment:
#   IO_DISK_BYTES  disk size (multiple of 512), 0 = no disk   default 8 MiB
#   IO_NET_BYTES   bytes the guest sends, 0 = no NIC          default 4 MiB
#   IO_FLIP        byte offset inverted in the image after its digest was
#                  taken (the negative test: the guest must see a mismatch)
#   IO_DIR         image, port and count files                default $LOG.io
#
# Networking reaches nothing but the sink: QEMU user networking with
# restrict=on (no guest connection leaves QEMU) and one guestfwd rule,
# guest 10.0.2.100:9000 -> the sink's chardev on 127.0.0.1:<free port>.
# QEMU connects that chardev once, at start, so the sink must listen first.
IO_GUEST_ADDR=10.0.2.100:9000

io_init() {
	IO_DISK_BYTES=${IO_DISK_BYTES:-8388608}
	IO_NET_BYTES=${IO_NET_BYTES:-4194304}
	IO_DIR=${IO_DIR:-$LOG.io}
	IO_APPEND=""
	[ "$WORKLOAD" = 1 ] || fail "IO=1 needs the workload initramfs (its /init runs previrt-io)"
	rm -rf "$IO_DIR"
	mkdir -p "$IO_DIR"
	if [ "$IO_DISK_BYTES" != 0 ]; then
		IO_DIGEST=$("$(dirname "$0")/io-sink" disk "$IO_DIR/disk.img" "$IO_DISK_BYTES" ${IO_FLIP:+"$IO_FLIP"}) ||
			fail "could not write the disk image $IO_DIR/disk.img"
		IO_APPEND="previrt.io.disk=$IO_DISK_BYTES:$IO_DIGEST"
	fi
	if [ "$IO_NET_BYTES" != 0 ]; then
		"$(dirname "$0")/io-sink" serve "$IO_DIR/sink.port" "$IO_DIR/sink.count" $((TIMEOUT + 60)) \
			>"$IO_DIR/sink.log" 2>&1 &
		IO_SINK_PID=$!
		trap io_stop EXIT
		_i=0
		while [ ! -s "$IO_DIR/sink.port" ] && [ "$_i" -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
		[ -s "$IO_DIR/sink.port" ] || fail "the sink did not start ($IO_DIR/sink.log)"
		IO_PORT=$(cat "$IO_DIR/sink.port")
		IO_APPEND="$IO_APPEND previrt.io.net=$IO_NET_BYTES@$IO_GUEST_ADDR"
	fi
	echo "$1: IO=1: disk ${IO_DISK_BYTES} bytes (digest ${IO_DIGEST:-none}${IO_FLIP:+, byte $IO_FLIP flipped}), net ${IO_NET_BYTES} bytes to $IO_GUEST_ADDR -> 127.0.0.1:${IO_PORT:-none}"
}

io_qemu_args() {
	if [ "$IO_NET_BYTES" != 0 ]; then
		echo -netdev
		echo "user,id=n0,restrict=on,guestfwd=tcp:$IO_GUEST_ADDR-tcp:127.0.0.1:$IO_PORT"
		echo -device
		echo e1000,netdev=n0
	else
		echo -nic
		echo none
	fi
	if [ "$IO_DISK_BYTES" != 0 ]; then
		echo -drive
		echo "if=none,id=d0,file=$IO_DIR/disk.img,format=raw"
		echo -device
		echo ide-hd,drive=d0,bus=ide.0
	fi
}

# the sink ends when QEMU closes its connection; never leave it behind
io_stop() {
	if [ -n "${IO_SINK_PID:-}" ]; then kill "$IO_SINK_PID" 2>/dev/null || :; fi
	IO_SINK_PID=""
}
io_finish() {
	[ -n "${IO_SINK_PID:-}" ] || return 0
	_i=0
	while kill -0 "$IO_SINK_PID" 2>/dev/null && [ "$_i" -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	io_stop
}

# io_line WHAT: the first "previrt-io: WHAT" line of the console log, from
# "previrt-io:" on (the guest writes them to /dev/kmsg: whole kernel lines)
io_line() { grep -a -m1 -o "previrt-io: $1.*" "$LOG" | tr -d '\r'; }
# io_field LINE KEY: the value of KEY=value in LINE
io_field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1; }

# io_irqs DEVICE LINE: the device interrupted during its test (irqs > 0:
# the driver ran on interrupts, not on a timeout or polling); sets _irqs
io_irqs() {
	_n=$(io_field "$2" irqs)
	case $_n in '' | *[!0-9]* | 0) fail "the $1 raised no interrupt during its test (irqs=${_n:-none})" ;; esac
	_irqs="$_n interrupts ($(io_field "$2" irq))"
}

# io_missing WHAT: fail for a missing "previrt-io: WHAT" line, saying
# whether the machine timed out (a stall) or went on without it
io_missing() {
	[ "$rc" = 124 ] && fail "timeout after ${TIMEOUT}s without a 'previrt-io: $1' line"
	fail "no 'previrt-io: $1' line"
}

# io_check NAME: the guest's lines and the sink's count.  Passes only when
# the guest read exactly the disk the host wrote (size and digest, checked
# by both sides), the sink counted exactly the bytes the guest says it
# sent, which are the bytes asked for, and each device interrupted.
io_check() {
	_l=$(io_line '.*FAILED')
	[ -n "$_l" ] && fail "I/O test: $_l"
	if [ -z "$(io_line start)" ]; then
		[ "$rc" = 124 ] && fail "timeout after ${TIMEOUT}s before the I/O test ran"
		fail "the I/O test never ran (no 'previrt-io: start' line)"
	fi
	_say=""
	if [ "$IO_DISK_BYTES" != 0 ]; then
		_l=$(io_line "disk ok")
		[ -n "$_l" ] || io_missing "disk ok"
		[ "$(io_field "$_l" bytes)" = "$IO_DISK_BYTES" ] ||
			fail "the guest read $(io_field "$_l" bytes) disk bytes, the image has $IO_DISK_BYTES"
		[ "$(io_field "$_l" digest)" = "$IO_DIGEST" ] ||
			fail "the guest's disk digest $(io_field "$_l" digest) is not the image's $IO_DIGEST"
		io_irqs disk "$_l"
		_say="disk $IO_DISK_BYTES bytes read in $(io_field "$_l" ns) ns guest time, pattern matched, $_irqs"
	fi
	if [ "$IO_NET_BYTES" != 0 ]; then
		_l=$(io_line "net ok")
		[ -n "$_l" ] || io_missing "net ok"
		_sent=$(io_field "$_l" bytes)
		[ "$_sent" = "$IO_NET_BYTES" ] || fail "the guest sent $_sent bytes, $IO_NET_BYTES were asked for"
		[ -s "$IO_DIR/sink.count" ] || fail "the sink wrote no count ($IO_DIR/sink.count)"
		_count=$(cat "$IO_DIR/sink.count")
		[ "$_count" = "$_sent" ] || fail "the sink counted $_count bytes, the guest says it sent $_sent"
		io_irqs NIC "$_l"
		_say="${_say:+$_say; }net $_sent bytes sent in $(io_field "$_l" ns) ns guest time, the sink counted $_count, $_irqs"
	fi
	[ -n "$(io_line done)" ] || io_missing done
	echo "$1: IO: $_say"
}
