# Kernel fetch and module build for one Debian suite. Source after common.sh.
# shellcheck shell=bash
#
# Cache layout ($PAB_CACHE/<suite>/):
#   debs/        downloaded .deb files (kept; reused when present)
#   root/        the image and header packages unpacked with dpkg-deb -x
#   chroot/      (suites other than the host's) debootstrap chroot with that suite's compiler
#   kernel.env   KREL, VMLINUZ, MODDIR, KDIR, CHROOT: written last, so its presence means "ready"
# Build outputs (the module for that kernel, the initramfs) live in the checkout: build/vm/<krel>/.

PAB_MIRROR=${PAB_MIRROR:-}

pab_host_suite() { . /etc/os-release && printf '%s' "${VERSION_CODENAME:-}"; }

pab_mirror() {
	if [ -n "$PAB_MIRROR" ]; then printf '%s' "$PAB_MIRROR"; return; fi
	# The first Debian mirror apt already uses here.
	local m
	m=$(grep -rhoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
		grep -v security | head -n1 | awk '{print $2}')
	printf '%s' "${m:-http://deb.debian.org/debian}"
}

# apt-cache on the host, running apt-get update once if the lists are empty.
pab_host_apt_ready() {
	if ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then
		pab_log "apt lists empty: apt-get update"
		pab_quiet "$PAB_CACHE/apt-update.log" apt-get update -q || pab_die "apt-get update failed"
	fi
}

# Print the linux-* packages a package depends on (one level), e.g. the image behind a meta package.
# RUNNER is the command apt-cache runs under (pab_chroot_run DIR), or nothing for the host.
pab_linux_deps() { # PACKAGE [RUNNER...]
	local pkg=$1; shift
	"$@" apt-cache depends --no-recommends --no-suggests "$pkg" 2>/dev/null |
		awk '$1 ~ /^(\|)?Depends:$/ && $2 ~ /^linux-/ {print $2}'
}

# The newest cached .deb of PACKAGE in DIR (the last in glob order, as ls sorted them); fails if none.
pab_cached_deb() { # DIR PACKAGE
	local debs=("$1/$2_"*.deb)
	[ -e "${debs[-1]}" ] && printf '%s' "${debs[-1]}"
}

# Debootstrap a chroot with the suite's compiler and headers (cached).
pab_make_chroot() { # SUITE DIR
	local suite=$1 dir=$2
	[ -e "$dir/.pab-ready" ] && return 0
	command -v debootstrap >/dev/null || pab_die "debootstrap missing: run scripts/install-deps"
	rm -rf "$dir"
	pab_log "debootstrap $suite (about 90 s, once)"
	pab_quiet "$PAB_CACHE/$suite/debootstrap.log" debootstrap --variant=minbase \
		--include=gcc,make,linux-headers-amd64,kmod "$suite" "$dir" "$(pab_mirror)" ||
		pab_die "debootstrap $suite failed"
	touch "$dir/.pab-ready"
}

pab_chroot_run() { # DIR CMD...: chroot with /proc mounted (sid's compiler needs it)
	local dir=$1; shift
	mkdir -p "$dir/proc"
	if ! mountpoint -q "$dir/proc"; then mount -t proc proc "$dir/proc"; fi
	local rc=0
	chroot "$dir" "$@" || rc=$?
	umount "$dir/proc" 2>/dev/null || umount -l "$dir/proc" 2>/dev/null || true
	return $rc
}

# Make sure the kernel of SUITE is downloaded and unpacked; then load kernel.env.
pab_kernel_prepare() { # SUITE
	local suite=$1 kc="$PAB_CACHE/$1"
	case "$suite" in
	'' | */* | .*) pab_die "bad --suite '$suite'" ;;
	esac
	if [ ! -e "$kc/kernel.env" ]; then
		pab_lock "$suite"
		[ -e "$kc/kernel.env" ] || pab_kernel_fetch "$suite"
		pab_unlock
	fi
	# shellcheck disable=SC1091
	. "$kc/kernel.env"
}

pab_kernel_fetch() { # SUITE
	local suite=$1 kc="$PAB_CACHE/$1" chroot= krel pkgs p
	# The command apt runs under: nothing on the host's suite, the suite's chroot otherwise.
	local runner=()
	mkdir -p "$kc/debs"
	if [ "$suite" = "$(pab_host_suite)" ]; then
		pab_host_apt_ready
	else
		chroot="$kc/chroot"
		pab_make_chroot "$suite" "$chroot"
		runner=(pab_chroot_run "$chroot")
		pab_quiet "$kc/apt-update.log" "${runner[@]}" apt-get -o Acquire::Check-Valid-Until=false update -q || pab_die "apt-get update in $suite chroot failed"
	fi

	# linux-image-amd64 -> linux-image-<krel> (-> linux-binary-<...> on sid, where the image is a meta package).
	local img
	img=$(pab_linux_deps linux-image-amd64 "${runner[@]}" | grep -m1 '^linux-image-') ||
		pab_die "$suite: cannot resolve linux-image-amd64 with apt-cache"
	krel=${img#linux-image-}
	pkgs="$img $(pab_linux_deps "$img" "${runner[@]}" | { grep -E '^linux-(binary|image|modules|base)-' || true; } | tr '\n' ' ')"
	if [ -z "$chroot" ]; then
		# Headers are unpacked next to the image; their own linux-* deps are -common and linux-kbuild.
		pkgs+=" linux-headers-$krel $(pab_linux_deps "linux-headers-$krel" "${runner[@]}" | { grep -E "^linux-(headers|kbuild)-" || true; } | tr '\n' ' ')"
	else
		[ -d "$chroot/usr/src/linux-headers-$krel" ] ||
			pab_quiet "$kc/apt-install.log" "${runner[@]}" apt-get install -y -q "linux-headers-$krel" ||
			pab_die "$suite: cannot install linux-headers-$krel in the chroot"
	fi
	pab_log "$suite: kernel $krel: $pkgs"

	for p in $pkgs; do
		if ! pab_cached_deb "$kc/debs" "$p" >/dev/null; then
			if [ -z "$chroot" ]; then
				(cd "$kc/debs" && pab_quiet "$kc/download.log" apt-get download "$p") ||
					pab_die "apt-get download $p failed"
			else
				mkdir -p "$chroot/tmp/pab-debs"
				pab_quiet "$kc/download.log" "${runner[@]}" sh -c 'cd /tmp/pab-debs && apt-get download "$1"' sh "$p" ||
					pab_die "apt-get download $p (in the $suite chroot) failed"
				mv "$chroot/tmp/pab-debs/"*.deb "$kc/debs/"
			fi
		fi
	done

	rm -rf "$kc/root.tmp"
	mkdir -p "$kc/root.tmp"
	for p in $pkgs; do
		dpkg-deb -x "$(pab_cached_deb "$kc/debs" "$p")" "$kc/root.tmp"
	done
	local vmlinuz moddir kdir
	moddir=$(find "$kc/root.tmp/lib/modules" "$kc/root.tmp/usr/lib/modules" -maxdepth 1 -name "$krel" -type d 2>/dev/null | head -n1 || true)
	[ -n "$moddir" ] || pab_die "$suite: no lib/modules/$krel in $pkgs"
	vmlinuz=$(find "$kc/root.tmp/boot/vmlinuz-$krel" "$moddir/vmlinuz" -maxdepth 0 -type f 2>/dev/null | head -n1 || true)
	[ -n "$vmlinuz" ] || pab_die "$suite: no vmlinuz for $krel in $pkgs"
	if [ -z "$chroot" ]; then
		kdir="$kc/root/usr/src/linux-headers-$krel"
		# The arch headers include the -common tree by absolute path; point it inside the unpacked tree.
		sed -i "s|^include /usr/src/|include $kc/root/usr/src/|" "$kc/root.tmp/usr/src/linux-headers-$krel/Makefile"
	else
		kdir="/usr/src/linux-headers-$krel"
	fi
	rm -rf "$kc/root"
	mv "$kc/root.tmp" "$kc/root"
	cat >"$kc/kernel.env.tmp" <<-ENV
		SUITE=$suite
		KREL=$krel
		VMLINUZ=${vmlinuz/root.tmp/root}
		MODDIR=${moddir/root.tmp/root}
		KDIR=$kdir
		CHROOT=$chroot
	ENV
	mv "$kc/kernel.env.tmp" "$kc/kernel.env"
}

# Build the kmod sources (default: kmod/) for the prepared kernel into build/vm/<krel>/kmod.
# Rebuilds only when a source file is newer than the last build. Prints the output dir.
pab_kmod_build() { # SRC_DIR
	local src=${1:-$PAB_ROOT/kmod} out="$PAB_ROOT/build/vm/$KREL/kmod" work
	[ -d "$src" ] || pab_die "no module sources at $src"
	mkdir -p "$out"
	if [ -e "$out/.stamp" ] && [ -z "$(find "$src" -newer "$out/.stamp" -type f -print -quit)" ]; then
		printf '%s\n' "$out"; return 0
	fi
	# The chroot is shared by every checkout on the machine: each builds in a folder of its own there.
	local cwork
	cwork=/tmp/pab-kmod-build-$(printf '%s' "$PAB_ROOT" | cksum | cut -d' ' -f1)
	if [ -n "$CHROOT" ]; then work="$CHROOT$cwork"; else work="$PAB_ROOT/build/vm/$KREL/kmod-build"; fi
	mkdir -p "$work"
	# Sources only: build products of another kernel must not leak into this build.
	tar -C "$src" -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='.*.cmd' --exclude=Module.symvers --exclude=modules.order --exclude='.tmp_*' . |
		tar -C "$work" -xf -
	local mk=(make -C "$work" KDIR="$KDIR")
	[ -n "${LLVM:-}" ] && mk+=(LLVM="$LLVM")
	if [ ! -e "$work/Makefile" ]; then mk=(make -C "$KDIR" M="$work" modules); fi
	if [ -n "$CHROOT" ]; then
		mk=("${mk[@]//$work/$cwork}")
		pab_chroot_run "$CHROOT" "${mk[@]}" >"$out/build.log" 2>&1 ||
			{ cat "$out/build.log" >&2; pab_die "module build for $KREL failed (log: $out/build.log)"; }
	else
		"${mk[@]}" >"$out/build.log" 2>&1 ||
			{ cat "$out/build.log" >&2; pab_die "module build for $KREL failed (log: $out/build.log)"; }
	fi
	rm -f "$out"/*.ko
	find "$work" -name '*.ko' -exec cp {} "$out/" \;
	compgen -G "$out/*.ko" >/dev/null || pab_die "module build for $KREL produced no .ko (log: $out/build.log)"
	touch "$out/.stamp"
	printf '%s\n' "$out"
}
