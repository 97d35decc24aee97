# Shared set-up of the test scripts (sourced, not run): the repository root as the working
# directory, the absolute cargo target directory, step headings, Debian packages on demand.
# Defines: root, target_dir, step, apt_install.

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac

step() { printf '\n== %s\n' "$*"; }

# apt_install PACKAGE HINT: install a Debian package when we are root and have apt-get
# (updating the package lists once if the first try fails); otherwise print HINT and fail.
apt_install() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get install -y "$1" >/dev/null || { apt-get update >/dev/null && apt-get install -y "$1" >/dev/null; }
    else
        echo "$2" >&2
        exit 1
    fi
}
