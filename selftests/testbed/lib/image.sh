# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2030,SC2031 # the IMG_* state lives in the subshell of _img_make, by design
# Building cached initramfs images for the testbeds (bash; sourced, needs `set -e` in the caller).
#
# A recipe is a shell function that fills the staging root $IMG_ROOT with the helpers below; img_build
# runs it only when the image is stale, then packs the root as a gzip'd newc cpio owned by root:
#
#	recipe() {
#		img_busybox                        # busybox + applet links (for names no real program has)
#		img_bin ip tc iperf3               # programs or libraries, with the shared libraries ldd lists
#		img_modules veth bridge            # kernel modules, their dependencies and a modules.dep
#		img_add "$here/init" /init 755     # a project file
#	}
#	img_build "$TB_BUILD/images/NAME.cpio.gz" recipe "$0"
#
# Helpers (all paths are host paths; each lands at the same path in the image):
#   img_copy PATH...          a file, symlink or (empty) directory; every symlink met on the way is
#                             recreated, so /bin/sh -> dash and /lib64 -> usr/lib64 behave as on the host
#   img_bin NAME|PATH...      img_copy + the libraries of the ELF ones; NAME is looked up in PATH
#   img_tree DIR...           img_bin on every file under DIR
#   img_modules NAME...       modules of the testbed kernel (tb_kver) with their modules.dep closure;
#                             built-in ones need nothing.  busybox `modprobe NAME` works in the guest.
#   img_busybox               /bin/busybox, and links for its applets at pack time
#   img_add SRC DEST [MODE]   a project file; img_write DEST [MODE] <CONTENT: a file from stdin
#
# Cache.  OUT is rebuilt only when the hash of its inputs changes: the scripts passed to img_build (and the
# libraries in lib/), files given to img_add, the kernel release, the versions of the Debian packages the
# image took files from (dpkg-query) and size+mtime of host files no package owns.  The inputs are listed
# at build time in OUT.inputs, so a check costs a dpkg-query and a few hashes (~0.1 s), not a rebuild.  OUT
# is replaced atomically under a lock (OUT.lock): concurrent runs share one build.

# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

IMG_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMG_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

img_die() {
	echo "testbed: image $IMG_OUT: $*" >&2
	exit 1
}

# img_build OUT RECIPE SCRIPT...: make OUT up to date; SCRIPTs are the files that define it (the recipe's).
img_build() {
	local lock s
	IMG_OUT=$1 IMG_RECIPE=$2
	shift 2
	IMG_SRCS=("$IMG_LIBDIR"/*.sh)
	for s; do IMG_SRCS+=("$(realpath "$s")"); done
	mkdir -p "$(dirname "$IMG_OUT")"
	exec {lock}>"$IMG_OUT.lock"
	flock "$lock"
	if [ -f "$IMG_OUT" ] && [ -f "$IMG_OUT.inputs" ] && [ -f "$IMG_OUT.stamp" ] &&
		[ "$(_img_key "$IMG_OUT.inputs")" = "$(cat "$IMG_OUT.stamp")" ]; then
		exec {lock}>&-
		return 0
	fi
	echo "testbed: building ${IMG_OUT#"$TB_ROOT"/} ..." >&2
	_img_make
	exec {lock}>&-
}

# A subshell, so that the staging root goes away however the recipe ends.
_img_make() (
	set -o pipefail
	IMG_ROOT=$(mktemp -d "$IMG_OUT.root.XXXXXX")
	trap 'rm -rf "$IMG_ROOT"' EXIT
	IMG_FILES=() IMG_BUSYBOX=
	declare -A IMG_KMODS=()
	_img_skeleton
	"$IMG_RECIPE"
	_img_pack
)

# The skeleton every image has: the host's /usr merge, mount points, /dev/console for the kernel to open
# before /init runs (mknod needs root; /init copes without it), minimal /etc.
_img_skeleton() {
	local d
	for d in /bin /sbin /lib /lib64 /var/run; do
		[ -e "$d" ] && img_copy "$d"
	done
	mkdir -p "$IMG_ROOT"/{dev,proc,sys,run,tmp,root,etc,mnt}
	chmod 1777 "$IMG_ROOT/tmp"
	mknod -m 600 "$IMG_ROOT/dev/console" c 5 1 2>/dev/null || true
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		>"$IMG_ROOT/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$IMG_ROOT/etc/group"
	printf '127.0.0.1 localhost\n::1 localhost\n' >"$IMG_ROOT/etc/hosts"
}

# img_copy PATH...: walk PATH component by component like the kernel does, recreating each symlink met, and
# copy what it finally names (a file; a directory is only created).
img_copy() {
	local path walked rest comp cur target
	for path; do
		[[ $path == /* ]] || img_die "img_copy: $path is not absolute"
		[ -e "$path" ] || img_die "$path does not exist"
		walked="" rest=${path#/}
		while [ -n "$rest" ]; do
			comp=${rest%%/*}
			if [[ $rest == */* ]]; then rest=${rest#*/}; else rest=""; fi
			case $comp in
			"" | .) continue ;;
			..) walked=${walked%/*}; continue ;;
			esac
			cur=$walked/$comp
			if [ -L "$cur" ]; then
				target=$(readlink "$cur")
				if [ ! -L "$IMG_ROOT$cur" ] && [ ! -e "$IMG_ROOT$cur" ]; then
					mkdir -p "$IMG_ROOT$walked"
					ln -s "$target" "$IMG_ROOT$cur"
				fi
				[[ $target == /* ]] && walked=""
				rest=${target#/}${rest:+/$rest}
			elif [ -d "$cur" ]; then
				mkdir -p "$IMG_ROOT$cur"
				walked=$cur
			elif [ ! -e "$IMG_ROOT$cur" ]; then
				mkdir -p "$IMG_ROOT$walked"
				cp -p "$cur" "$IMG_ROOT$cur"
				IMG_FILES+=("$cur")
			fi
		done
	done
}

_img_is_elf() {
	local magic=""
	LC_ALL=C read -r -N 4 magic <"$1" 2>/dev/null || true
	[ "$magic" = $'\177ELF' ]
}

# img_bin NAME|PATH...
img_bin() {
	local n p elves=() libs
	for n; do
		if [[ $n == /* ]]; then
			p=$n
		else
			p=$(PATH=$IMG_PATH command -v "$n") || img_die "no program $n on the host (apt-get install it)"
		fi
		img_copy "$p"
		if [ -f "$p" ] && _img_is_elf "$p"; then elves+=("$p"); fi
	done
	[ ${#elves[@]} -gt 0 ] || return 0
	# One ldd for all: it prints "name => /path (addr)" per library and the loader as "/path (addr)".
	# It fails on static executables; libraries it cannot find say "not found".
	libs=$(LC_ALL=C ldd "${elves[@]}" 2>&1) || true
	if [[ $libs == *"not found"* ]]; then
		img_die "missing shared libraries: $(grep 'not found' <<<"$libs" | tr -s '\t\n' ' ')"
	fi
	libs=$(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' <<<"$libs" |
		sort -u)
	# shellcheck disable=SC2086 # one path per word
	[ -z "$libs" ] || img_copy $libs
}

# img_tree DIR...
img_tree() {
	local files
	mapfile -t files < <(find "$@" \( -type f -o -type l \) | LC_ALL=C sort)
	[ ${#files[@]} -eq 0 ] || img_bin "${files[@]}"
}

img_busybox() {
	img_copy /bin/busybox
	IMG_BUSYBOX=1
}

img_add() {
	install -D -m "${3:-644}" "$1" "$IMG_ROOT$2"
	IMG_SRCS+=("$(realpath "$1")")
}

img_write() {
	mkdir -p "$(dirname "$IMG_ROOT$1")"
	cat >"$IMG_ROOT$1"
	chmod "${2:-644}" "$IMG_ROOT$1"
}

# modules.dep lists each module with its full dependency closure: "kernel/x/a.ko: kernel/y/b.ko ...".
# Module names treat - and _ alike.
img_modules() {
	local dir name rel dep line
	dir=/lib/modules/$(tb_kver)
	if [ -z "${_IMG_MODDIR:-}" ]; then
		declare -gA _IMG_MODPATH=() _IMG_MODDEPS=() _IMG_BUILTIN=()
		while IFS= read -r line; do
			rel=${line%%:*}
			name=${rel##*/} name=${name%%.ko*}
			_IMG_MODPATH[${name//-/_}]=$rel
			_IMG_MODDEPS[$rel]=${line#*:}
		done <"$dir/modules.dep"
		while IFS= read -r rel; do
			name=${rel##*/} name=${name%%.ko*}
			_IMG_BUILTIN[${name//-/_}]=1
		done <"$dir/modules.builtin"
		_IMG_MODDIR=$dir
	fi
	for name; do
		name=${name//-/_}
		[ -z "${_IMG_BUILTIN[$name]:-}" ] || continue
		rel=${_IMG_MODPATH[$name]:-}
		[ -n "$rel" ] || img_die "no kernel module $name in $dir"
		for dep in "$rel" ${_IMG_MODDEPS[$rel]}; do
			[ -n "${IMG_KMODS[$dep]:-}" ] && continue
			IMG_KMODS[$dep]=1
			img_copy "$dir/$dep"
		done
	done
}

# Module metadata for the modules the image has: busybox modprobe reads modules.dep (and modules.alias, so
# the kernel's request_module() finds them); modules.builtin and modules.order come along for kmod's sake.
_img_modules_meta() {
	local dir=$_IMG_MODDIR list
	list=$(printf '%s\n' "${!IMG_KMODS[@]}")
	awk -F: 'NR == FNR { want[$1] = 1; next } $1 in want' - "$dir/modules.dep" <<<"$list" \
		>"$IMG_ROOT$dir/modules.dep"
	awk 'NR == FNR { want[$1] = 1; next } $1 in want' - "$dir/modules.order" <<<"$list" \
		>"$IMG_ROOT$dir/modules.order"
	# modules.alias names modules by their _ name: "alias pattern module_name".
	sed 's,.*/,,; s,\.ko.*,,; s,-,_,g' <<<"$list" |
		awk 'NR == FNR { want[$1] = 1; next } $3 in want' - "$dir/modules.alias" >"$IMG_ROOT$dir/modules.alias"
	cp "$dir/modules.builtin" "$IMG_ROOT$dir/"
}

# Applet links where no real program of that name is in the image: busybox's ip or tc must not shadow
# iproute2's, nor its sh the image's /bin/sh.
_img_busybox_links() {
	local applet name d have
	while read -r applet; do
		name=${applet##*/} have=
		for d in usr/sbin usr/bin sbin bin; do
			if [ -e "$IMG_ROOT/$d/$name" ] || [ -L "$IMG_ROOT/$d/$name" ]; then have=1; fi
		done
		[ -n "$have" ] && continue
		mkdir -p "$IMG_ROOT/${applet%/*}"
		ln -s /bin/busybox "$IMG_ROOT/$applet"
	done < <("$IMG_ROOT/bin/busybox" --list-full | grep /)
}

_img_pack() {
	[ -z "$IMG_BUSYBOX" ] || _img_busybox_links
	[ ${#IMG_KMODS[@]} -eq 0 ] || _img_modules_meta
	(cd "$IMG_ROOT" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0) | gzip -6 >"$IMG_OUT.tmp"
	_img_inputs >"$IMG_OUT.inputs.tmp"
	_img_key "$IMG_OUT.inputs.tmp" >"$IMG_OUT.stamp.tmp"
	mv "$IMG_OUT.tmp" "$IMG_OUT"
	mv "$IMG_OUT.inputs.tmp" "$IMG_OUT.inputs"
	mv "$IMG_OUT.stamp.tmp" "$IMG_OUT.stamp"
	echo "testbed: built ${IMG_OUT#"$TB_ROOT"/} ($(du -h "$IMG_OUT" | cut -f1))" >&2
}

# The inputs of the image, one "kind path" a line: src (hash the content), pkg (its version), file (size and
# mtime: a host file no package owns).  dpkg knows /usr-merged files by their old paths (/bin/ip, not
# /usr/bin/ip), so each file is asked for under both.
_img_inputs() {
	local p q=() owners
	printf 'src %s\n' "${IMG_SRCS[@]}"
	for p in "${IMG_FILES[@]}"; do
		q+=("$p")
		[[ $p == /usr/* ]] && q+=("${p#/usr}")
	done
	owners=$(dpkg-query -S "${q[@]}" 2>/dev/null) || true
	awk -F': ' '
		NR == FNR { if (/^diversion /) next
			n = split($1, names, ", "); for (i = 1; i <= n; i++) pkg[names[i]] = 1
			owned[$2] = 1; next }
		!(($0 in owned) || (substr($0, 1, 4) == "/usr" && (substr($0, 5) in owned))) { print "file " $0 }
		END { for (p in pkg) print "pkg " p }' <(printf '%s\n' "$owners") <(printf '%s\n' "${IMG_FILES[@]}") |
		LC_ALL=C sort -u
}

# _img_key INPUTS: the hash of the current state of the inputs listed.  A vanished package or file makes
# the tools print an error instead of a version, which changes the hash: the image is rebuilt (or the
# recipe fails, saying why).
_img_key() {
	local kind path pkgs=() files=() srcs=()
	while read -r kind path; do
		case $kind in
		pkg) pkgs+=("$path") ;;
		file) files+=("$path") ;;
		src) srcs+=("$path") ;;
		esac
	done <"$1"
	{
		tb_kver
		[ ${#pkgs[@]} -eq 0 ] || dpkg-query -W -f='${binary:Package} ${Version}\n' "${pkgs[@]}" 2>&1
		[ ${#files[@]} -eq 0 ] || stat -L -c '%n %s %Y' "${files[@]}" 2>&1
		[ ${#srcs[@]} -eq 0 ] || sha256sum "${srcs[@]}" 2>&1
	} | sha256sum | cut -d' ' -f1
}
