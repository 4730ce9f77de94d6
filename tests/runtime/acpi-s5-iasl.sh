#!/bin/sh
# The domU's \_S5 SSDT from test-acpi-s5, read by an independent ACPI
# disassembler (acpica-tools' `iasl -d`): one Name (\_S5, Package) with
# the four elements 5, 5, 0, 0, and no checksum complaint.
#   tests/runtime/acpi-s5-iasl.sh ssdt.aml
set -u
aml=$1
command -v iasl >/dev/null || { echo "FAIL - iasl not installed (ci/install-deps: acpica-tools)"; echo "0 passed, 1 failed"; exit 1; }
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
cp "$aml" "$dir/ssdt.aml"
(cd "$dir" && iasl -d ssdt.aml) >"$dir/iasl.out" 2>&1
dsl=$dir/ssdt.dsl
pass=0 fail=0
t() { if eval "$1"; then echo "ok   - $2"; pass=$((pass + 1)); else echo "FAIL - $2"; fail=$((fail + 1)); fi; }
t '[ -f "$dsl" ]' "iasl -d disassembles the SSDT"
t 'grep -q "Name (\\\\_S5, Package (0x04)" "$dsl"' "iasl sees Name (\\_S5, Package (0x04))"
t '[ "$(sed -n "/_S5/,/})/p" "$dsl" | grep -cE "0x05|Zero")" = 4 ]' "its elements are 0x05, 0x05, Zero, Zero"
t '! grep -qi "checksum" "$dir/iasl.out"' "iasl finds the checksum right"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
