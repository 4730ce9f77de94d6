#!/bin/sh
# The domU's \_S5 SSDT from test-acpi-s5, read by an independent ACPI
# disassembler (acpica-tools' `iasl -d`): one Name (\_S5, Package) with
# the four elements 5, 5, 0, 0, and no checksum complaint.
#   tests/runtime/acpi-s5-iasl.sh ssdt.aml
set -u
aml=$1
. "$(dirname "$0")/iasl-lib.sh"
iasl_decode "$aml" ssdt
t '[ -f "$dsl" ]' "iasl -d disassembles the SSDT"
t 'grep -q "Name (\\\\_S5, Package (0x04)" "$dsl"' "iasl sees Name (\\_S5, Package (0x04))"
t '[ "$(sed -n "/_S5/,/})/p" "$dsl" | grep -cE "0x05|Zero")" = 4 ]' "its elements are 0x05, 0x05, Zero, Zero"
t '! grep -qi "checksum" "$dir/iasl.out"' "iasl finds the checksum right"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
