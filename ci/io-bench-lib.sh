# Shared by the I/O benchmarks that compare boots side by side
# (ci/bench-drivers, ci/bench-xen-domu; sourced, not run): reading
# workload/previrt-io's lines out of a console log, and the medians and
# ratios of the table.  The caller sets $out, whose "rows" file holds one
# line per boot: its kind, then the columns.

# line LOG WHAT: the first "previrt-io: WHAT ok" line; field LINE KEY: KEY=value
line() { grep -a -m1 -o "previrt-io: $2 ok.*" "$1" | tr -d '\r'; }
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1; }
# uptime LOG: the guest's uptime when its /init started
uptime() { grep -a -o "previrt-init: userspace after [0-9.]*" "$1" | awk '{ print $NF }' | head -1; }
# MiB per guest second, and ns per MiB, of one device's line
mibs() { awk -v b="$1" -v ns="$2" 'BEGIN { if (ns > 0) printf "%.2f\n", b / 1048576 / (ns / 1e9); else print "n/a" }'; }
perm() { awk -v b="$1" -v c="$2" 'BEGIN { if (b > 0 && c != "") printf "%.0f\n", c / (b / 1048576); else print "n/a" }'; }

# med: the median of the numbers on stdin; col KIND COLUMN: its median over the rounds
med() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v k="$1" -v c="$2" '$1 == k && $c != "n/a" { print $c }' "$out/rows" | med; }
# ratio A B: A/B with 3 decimals, n/a when either is
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.3f\n", a / b }'; }
