# Guest image: a small busybox initramfs plus the per-kernel "sys" share. Source after common.sh.
# shellcheck shell=bash
#
# The initramfs holds only busybox, /init and the modules 9p needs (they are modules in Debian's
# kernels), so it costs the guest well under 3 MiB of RAM. Everything else comes over 9p:
#   /opt/pab/bin   published tools (read-only)
#   /opt/pab/sys   build/vm/<krel>/sys: lib/ (glibc closure of the tools), kmod/ (our module)
#   /opt/pab/run   per-run directory (read-write): the command script, --add files, results
#   /opt/pab/share optional --share DIR (read-write)

PAB_GUEST_MODULES="virtio_pci 9pnet_virtio 9p"
# Libraries the tools need: libc, libm and the loader for the native ones; the rest for self-contained
# .NET apps (InvariantGlobalization, no ICU): the test-only pab-modcheck.
PAB_GUEST_LIBS="ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libstdc++.so.6 libgcc_s.so.1 libz.so.1"

# Print a module's dependencies (from its .modinfo section; no depmod/modinfo needed).
pab_mod_deps() { # KO_FILE (uncompressed)
	objcopy -O binary --only-section=.modinfo "$1" /dev/stdout 2>/dev/null | tr '\0' '\n' |
		sed -n 's/^depends=//p' | tr ',' '\n' | sed '/^$/d'
}

pab_mod_find() { # MODDIR NAME: path of NAME.ko[.xz|.zst|.gz] under MODDIR, if any
	local n=$2 alt=${2//_/-} alt2=${2//-/_}
	find "$1" \( -name "$n.ko*" -o -name "$alt.ko*" -o -name "$alt2.ko*" \) -print -quit 2>/dev/null
}

pab_mod_unpack() { # SRC DEST_KO
	case "$1" in
	*.ko.xz) xz -dc "$1" >"$2" ;;
	*.ko.zst) zstd -qdc "$1" >"$2" ;;
	*.ko.gz) gzip -dc "$1" >"$2" ;;
	*) cp "$1" "$2" ;;
	esac
}

# Resolve NAME and its deps depth-first into $2/, appending load order to $2/order.
pab_mod_collect() { # NAME DEST
	local name=$1 dest=$2 src d
	grep -qx "$name.ko" "$dest/order" 2>/dev/null && return 0
	src=$(pab_mod_find "$MODDIR" "$name")
	if [ -z "$src" ]; then
		# Not a module in this kernel: fine if built in.
		grep -qE "/${name}\.ko$" "$MODDIR/modules.builtin" 2>/dev/null && return 0
		[ -n "${PAB_CUSTOM_KERNEL:-}" ] && { pab_log "module $name not found in $MODDIR: assuming built in"; return 0; }
		pab_die "module $name not found under $MODDIR"
	fi
	pab_mod_unpack "$src" "$dest/$name.ko.tmp"
	for d in $(pab_mod_deps "$dest/$name.ko.tmp"); do pab_mod_collect "$d" "$dest"; done
	mv "$dest/$name.ko.tmp" "$dest/$name.ko"
	echo "$name.ko" >>"$dest/order"
}

pab_guest_libs() { # DEST: copy the glibc closure
	local dest=$1 n p extra=
	mkdir -p "$dest"
	if [ -d "$PAB_BIN" ]; then
		# Anything else the published native parts link against.
		extra=$(find "$PAB_BIN" -maxdepth 1 -name '*.so' -exec ldd {} \; 2>/dev/null | awk '/=> \// {print $3}' | xargs -r -n1 basename)
	fi
	for n in $PAB_GUEST_LIBS $extra; do
		[ -e "$dest/$n" ] && continue
		p=$(find /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib64 -maxdepth 1 -name "$n" -print -quit 2>/dev/null)
		if [ -n "$p" ]; then cp -L "$p" "$dest/$n"; fi
	done
	[ -e "$dest/libc.so.6" ] && [ -e "$dest/ld-linux-x86-64.so.2" ] || pab_die "cannot find the host's glibc to give the guest"
}

# Build (or reuse) build/vm/<krel>/initramfs.cpio.gz; sets PAB_INITRD.
pab_initramfs_build() {
	local out="$PAB_ROOT/build/vm/$KREL" tree init_src="$PAB_ROOT/scripts/lib/guest-init.sh" bb
	PAB_INITRD="$out/initramfs.cpio.gz"
	if [ -e "$PAB_INITRD" ] && [ "$PAB_INITRD" -nt "$init_src" ] && [ "$PAB_INITRD" -nt "${BASH_SOURCE[0]}" ]; then
		return 0
	fi
	bb=$(command -v busybox) || pab_die "busybox missing: run scripts/install-deps"
	# The guest has no libc of its own in the initramfs: busybox must be the static build.
	if ldd "$bb" >/dev/null 2>&1; then pab_die "$bb is dynamically linked: install busybox-static"; fi
	tree=$(mktemp -d "${TMPDIR:-/tmp}/pab-initramfs.XXXXXX")
	mkdir -p "$tree"/{bin,sbin,etc,lib/pab-modules,lib64,usr/lib,opt/pab,proc,sys,dev,tmp,root,run}
	cp "$bb" "$tree/bin/busybox"
	ln -s busybox "$tree/bin/sh"
	cp "$init_src" "$tree/init"
	chmod 755 "$tree/init"
	: >"$tree/lib/pab-modules/order"
	local m
	for m in $PAB_GUEST_MODULES; do pab_mod_collect "$m" "$tree/lib/pab-modules"; done
	mv "$tree/lib/pab-modules/order" "$tree/etc/pab-modules"
	ln -s /opt/pab/sys/lib "$tree/lib/x86_64-linux-gnu"
	ln -s /opt/pab/sys/lib "$tree/usr/lib/x86_64-linux-gnu"
	ln -s /opt/pab/sys/lib/ld-linux-x86-64.so.2 "$tree/lib64/ld-linux-x86-64.so.2"
	ln -s sys/kmod "$tree/opt/pab/kmod"
	mkdir -p "$out"
	(cd "$tree" && find . | cpio -o -H newc --quiet | gzip -1) >"$PAB_INITRD.tmp"
	mv "$PAB_INITRD.tmp" "$PAB_INITRD"
	rm -rf "$tree"
}

# Everything the guest needs for the prepared kernel: glibc closure, the module (unless KMOD_SRC
# is empty; a source dir without .c files yet is skipped with a note), the initramfs.
# Sets PAB_SYS (the sys share) and PAB_INITRD.
pab_guest_prepare() { # KMOD_SRC
	local src=$1 kout ko rc=0
	PAB_SYS="$PAB_ROOT/build/vm/$KREL/sys"
	mkdir -p "$PAB_SYS/kmod"
	# Concurrent test runs share build/vm/<krel>: one prepares at a time.
	exec {PAB_GUEST_LOCK}>"$PAB_ROOT/build/vm/$KREL/.lock"
	flock "$PAB_GUEST_LOCK"
	pab_guest_libs "$PAB_SYS/lib"
	if [ -n "$src" ]; then
		if ls "$src"/*.c >/dev/null 2>&1; then
			if kout=$(pab_kmod_build "$src"); then
				# Replace atomically and only when changed: other guests may be loading it now.
				for ko in "$kout"/*.ko; do
					cmp -s "$ko" "$PAB_SYS/kmod/${ko##*/}" && continue
					cp "$ko" "$PAB_SYS/kmod/.${ko##*/}.tmp"
					mv "$PAB_SYS/kmod/.${ko##*/}.tmp" "$PAB_SYS/kmod/${ko##*/}"
				done
			else
				rc=1
			fi
		else
			pab_log "no module sources in $src: /opt/pab/kmod stays empty"
		fi
	fi
	[ $rc -ne 0 ] || pab_initramfs_build
	exec {PAB_GUEST_LOCK}>&-
	return $rc
}
