# Reading TAP version 13 (what tests/kmod-c's checks print). Source after common.sh.
# shellcheck shell=bash

# Reads the TAP stream in FILE and prints one line: "N ok, N failed, N skipped of N planned",
# with "(no plan)", "(ran N)" or "(bailed out: why)" when the run is not whole. Lines that are
# not TAP are ignored. Exit status 0 only when a plan was given, that many test points ran,
# none failed and none bailed out.
pab_tap_summary() { # FILE
	if [ ! -r "$1" ]; then
		printf 'no TAP output (%s missing)\n' "$1"
		return 1
	fi
	awk '
	/^1\.\.[0-9]+/ { planned = substr($1, 4) + 0; plan = 1; next }
	/^ok [0-9]+/ { ran++; if ($0 ~ /# [Ss][Kk][Ii][Pp]/) skipped++; else ok++; next }
	/^not ok [0-9]+/ { ran++; failed++; next }
	/^Bail out!/ { bail = substr($0, 11); bailed = 1 }
	END {
		line = sprintf("%d ok, %d failed, %d skipped of %d planned", ok, failed, skipped, planned)
		if (!plan) line = line " (no plan)"
		else if (ran != planned) line = line " (ran " ran ")"
		if (bailed) line = line " (bailed out: " bail ")"
		print line
		exit !(plan && ran == planned && !failed && !bailed)
	}' "$1"
}
