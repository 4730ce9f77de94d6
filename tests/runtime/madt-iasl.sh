#!/bin/sh
# The rewritten MADT from test-madt, read by an independent ACPI
# disassembler (acpica-tools' `iasl -d`): two Processor Local APIC entries
# (APIC IDs 0 and 2), one Local APIC NMI, no x2APIC entry left, and no
# checksum complaint.
#   tests/runtime/madt-iasl.sh madt.aml
set -u
aml=$1
. "$(dirname "$0")/iasl-lib.sh"
iasl_decode "$aml" madt
t '[ -f "$dsl" ]' "iasl -d disassembles the table"
t '[ "$(grep -c "\[Processor Local APIC\]" "$dsl" 2>/dev/null)" = 2 ] && grep -q "Local Apic ID : 02" "$dsl"' \
	"iasl sees 2 Processor Local APIC entries, one with APIC ID 2"
t '[ "$(grep -c "\[Local APIC NMI\]" "$dsl" 2>/dev/null)" = 1 ] && ! grep -qi "x2apic" "$dsl"' \
	"iasl sees 1 Local APIC NMI entry and no x2APIC entry"
t '! grep -qi "checksum" "$dir/iasl.out"' "iasl finds the checksum right"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
