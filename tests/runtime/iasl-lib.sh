# Sourced by madt-iasl.sh and acpi-s5-iasl.sh: an ACPI table our code wrote,
# disassembled by acpica-tools' `iasl -d` (independent of our code), and the
# ok/FAIL lines of the checks made on the result.
#   . iasl-lib.sh; iasl_decode TABLE.aml NAME    -> $dsl (the .dsl), $dir/iasl.out
#   t 'shell test' "what it proves" ...; echo "$pass passed, $fail failed"
iasl_decode() {
	command -v iasl >/dev/null ||
		{ echo "FAIL - iasl not installed (ci/install-deps: acpica-tools)"; echo "0 passed, 1 failed"; exit 1; }
	dir=$(mktemp -d) || exit 1
	trap 'rm -rf "$dir"' EXIT
	cp "$1" "$dir/$2.aml"
	(cd "$dir" && iasl -d "$2.aml") >"$dir/iasl.out" 2>&1
	dsl=$dir/$2.dsl
}
pass=0 fail=0
t() { if eval "$1"; then echo "ok   - $2"; pass=$((pass + 1)); else echo "FAIL - $2"; fail=$((fail + 1)); fi; }
