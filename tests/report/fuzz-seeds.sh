#!/bin/sh
# Seed corpus for `make fuzz-report`: the plugin's corpus objects, one
# relocatable link and one kernel-like linked image (with and without
# symbols).  usage: PREVIRT_PLUGIN=... fuzz-seeds.sh DIR
set -eu
dir=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
CC=${CC:-gcc}
[ "$CC" = cc ] && CC=gcc
flags="-O2 -g0 -mcmodel=kernel -fno-pic -mno-red-zone -ffreestanding -fplugin=${PREVIRT_PLUGIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dir"
for src in "$top"/tests/corpus/*.c; do
	$CC $flags -c "$src" -o "$tmp/$(basename "$src" .c).o"
done
ld -r "$tmp"/*.o -o "$tmp/all.rel"
ld -static -nostdlib -e 0 -Ttext=0xffffffff81000000 --defsym EX_TYPE_RDMSR=1 \
	--defsym EX_TYPE_WRMSR=2 "$tmp"/*.o -o "$tmp/linked.elf"
strip -o "$tmp/linked-stripped.elf" "$tmp/linked.elf"
$CC $flags -c "$top/tests/report/fixtures/tables.c" -o "$tmp/tables.o"
for f in "$tmp"/*; do
	cp "$f" "$dir/seed-$(basename "$f")"
done
cp "$top"/tests/report/fuzz-regressions/*.bin "$dir/"
echo "fuzz-seeds: $(ls "$tmp" | wc -l) seeds in $dir"
