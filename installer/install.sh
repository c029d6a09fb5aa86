#!/usr/bin/env bash
# Install slapos on this machine, or under a root prefix (as DESTDIR): the
# binary, a default configuration where there is none, the systemd units,
# and (--cron) the cron.d file. Run it again to upgrade the binary in place.
# See installer/README.md.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: install.sh [--prefix DIR] [--binary FILE] [--cron] [--enable]
       install.sh --uninstall [--purge] [--prefix DIR]

  --prefix DIR    install under DIR as if it were / (files name the final paths);
                  also taken from $DESTDIR. systemctl is never called then.
  --binary FILE   the slapos binary to install (default: ../dist/slapos, else ./slapos,
                  next to this script)
  --cron          schedule the node's runs with /etc/cron.d/slapos-node instead of
                  slapos-node.service
  --enable        enable and start the units (with systemd running, no prefix)
  --uninstall     remove what install.sh installed; configuration and data stay
  --purge         with --uninstall: also remove /etc/opt/slapos* and /opt/slapos
  -h, --help      this help
EOF
}

die() {
  echo "install.sh: $1" >&2
  exit "${2:-1}"
}
say() { echo "install.sh: $*"; }

here=$(cd "$(dirname "$0")" && pwd)
files="$here/files"

BIN=/opt/slapos/bin/slapos
LINK=/usr/local/bin/slapos
LOG_DIR=/opt/slapos/log
CONF_DIR=/etc/opt/slapos
UNIT_DIR=/etc/systemd/system
CRON_FILE=/etc/cron.d/slapos-node
MANIFEST=/opt/slapos/installed-files
UNITS=(slapos-proxy.service slapos-node-supervisord.service slapos-node.service slapos-node-boot.service)

prefix=${DESTDIR:-}
binary=""
cron=0
enable=0
uninstall=0
purge=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix | --binary)
      [ $# -ge 2 ] || die "option $1 needs a value" 2
      if [ "$1" = --prefix ]; then prefix=$2; else binary=$2; fi
      shift 2
      continue
      ;;
    --prefix=*) prefix=${1#*=} ;;
    --binary=*) binary=${1#*=} ;;
    --cron) cron=1 ;;
    --enable) enable=1 ;;
    --uninstall) uninstall=1 ;;
    --purge) purge=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument: $1 (see --help)" 2 ;;
  esac
  shift
done

# --- checks, before anything is touched ----------------------------------
if [ "$purge" = 1 ] && [ "$uninstall" = 0 ]; then die "--purge goes with --uninstall" 2; fi
if [ "$uninstall" = 1 ] && { [ -n "$binary" ] || [ "$cron" = 1 ] || [ "$enable" = 1 ]; }; then
  die "--uninstall takes only --purge and --prefix" 2
fi
if [ -n "$prefix" ]; then
  [ -d "$prefix" ] || die "prefix does not exist or is not a folder: $prefix"
  prefix=$(cd "$prefix" && pwd)
  [ "$prefix" = / ] && prefix=""
fi
if [ -z "$prefix" ] && [ "$(id -u)" != 0 ]; then die "must be run as root (or with --prefix DIR)"; fi

# Paths under the prefix.
p() { printf '%s%s' "$prefix" "$1"; }

systemd=0
if [ -z "$prefix" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then systemd=1; fi

# Atomic writes: a temporary file beside the target, then rename(2).
put() { # put SOURCE TARGET MODE -> 0 when TARGET changed
  local source=$1 target=$2 mode=$3 tmp
  if [ -f "$target" ] && cmp -s "$source" "$target"; then
    chmod "$mode" "$target"
    return 1
  fi
  tmp="$target.install.$$"
  cp "$source" "$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$target"
  return 0
}

is_ours() { # a binary of this project answers --version with "slapos X (Bun Y)"
  local version
  version=$("$1" --version 2>/dev/null) || return 1
  case "$version" in "slapos "*"(Bun "*) return 0 ;; *) return 1 ;; esac
}

record() { echo "$1 $2" >>"$manifest_tmp"; }

# --- uninstall ------------------------------------------------------------
if [ "$uninstall" = 1 ]; then
  [ -f "$(p $MANIFEST)" ] || die "nothing to uninstall: $(p $MANIFEST) does not exist"
  if [ "$systemd" = 1 ]; then
    systemctl disable --now "${UNITS[@]}" >/dev/null 2>&1 || true
  fi
  while read -r kind path; do
    case "$kind" in
      file) rm -f "$(p "$path")" ;;
      link) if [ -L "$(p "$path")" ] && [ "$(readlink "$(p "$path")")" = "$BIN" ]; then rm -f "$(p "$path")"; fi ;;
    esac
  done <"$(p $MANIFEST)"
  # Then bring back a binary that was there before ours.
  while read -r kind path; do
    if [ "$kind" = backup ] && [ -e "$(p "$path")" ]; then
      mv -f "$(p "$path")" "$(p "${path%.orig}")"
      say "restored the former ${path%.orig}"
    fi
  done <"$(p $MANIFEST)"
  rm -f "$(p $MANIFEST)"
  rmdir "$(p /opt/slapos/bin)" 2>/dev/null || true
  if [ "$systemd" = 1 ]; then systemctl daemon-reload; fi
  if [ "$purge" = 1 ]; then
    rm -rf "$(p $CONF_DIR)" "$(p $CONF_DIR)".old* "$(p /opt/slapos)"
    say "removed the binary, the units, $CONF_DIR and /opt/slapos (logs, master database)"
  else
    say "removed the binary and the units; kept $CONF_DIR (configuration) and /opt/slapos (logs, master database): --purge removes them"
  fi
  say "partitions and software (/srv/slapgrid, /opt/slapgrid, or the roots of slapos.cfg) are never removed: remove them yourself"
  exit 0
fi

# --- install or upgrade -----------------------------------------------------
if [ -z "$binary" ]; then
  for candidate in "$here/../dist/slapos" "$here/slapos"; do
    if [ -e "$candidate" ]; then
      binary=$candidate
      break
    fi
  done
  [ -n "$binary" ] || die "no binary found (looked for $here/../dist/slapos and $here/slapos): build it with installer/build, or give --binary FILE"
fi
[ -f "$binary" ] || die "binary not found: $binary"
[ -x "$binary" ] || die "binary is not executable: $binary"
is_ours "$binary" || die "$binary is not a slapos binary that runs here (its --version does not say \"slapos ... (Bun ...)\")"
[ -d "$files" ] || die "missing $files: run install.sh from its installer folder"
new_version=$("$binary" --version)

mkdir -p "$(p /opt/slapos/bin)" "$(p $CONF_DIR)" "$(p $UNIT_DIR)" "$(p /usr/local/bin)"
mkdir -p -m 0750 "$(p $LOG_DIR)"
manifest_tmp="$(p $MANIFEST).new.$$"
trap 'rm -f "$manifest_tmp"' EXIT
: >"$manifest_tmp"
# Keep what an earlier run recorded (configurations written, the backup of a former binary).
if [ -f "$(p $MANIFEST)" ]; then grep -E '^(config|backup) ' "$(p $MANIFEST)" >>"$manifest_tmp" || true; fi

# The binary. A binary that is not ours (slapos.core's) is kept as slapos.orig.
old_version=""
if [ -e "$(p $BIN)" ]; then
  if is_ours "$(p $BIN)"; then
    old_version=$("$(p $BIN)" --version)
  elif [ ! -e "$(p $BIN).orig" ]; then
    mv "$(p $BIN)" "$(p $BIN).orig"
    record backup "$BIN.orig"
    say "kept the former $BIN as $BIN.orig"
  fi
fi
tmp="$(p $BIN).install.$$"
cp "$binary" "$tmp"
chmod 0755 "$tmp"
mv -f "$tmp" "$(p $BIN)"
record file "$BIN"

if [ -L "$(p $LINK)" ] || [ ! -e "$(p $LINK)" ]; then
  ln -sfn "$BIN" "$(p $LINK).install.$$"
  mv -Tf "$(p $LINK).install.$$" "$(p $LINK)"
  record link "$LINK"
else
  say "$LINK exists and is not a link: left alone ($BIN is the binary)"
fi

# A default configuration, only where there is none: a node with its own local master.
if [ ! -e "$(p $CONF_DIR/slapos.cfg)" ]; then
  for name in slapos.cfg slapos-proxy.cfg; do
    if [ ! -e "$(p $CONF_DIR/$name)" ]; then
      put "$files$CONF_DIR/$name" "$(p $CONF_DIR/$name)" 0644 || true
      record config "$CONF_DIR/$name"
    fi
  done
  say "wrote $CONF_DIR/slapos.cfg and slapos-proxy.cfg (a node with its own master); slapos node register replaces them"
fi

units_changed=0
for unit in "${UNITS[@]}"; do
  if put "$files$UNIT_DIR/$unit" "$(p $UNIT_DIR/$unit)" 0644; then units_changed=1; fi
  record file "$UNIT_DIR/$unit"
done
if [ "$cron" = 1 ] || [ -e "$(p $CRON_FILE)" ]; then
  mkdir -p "$(p /etc/cron.d)"
  put "$files$CRON_FILE" "$(p $CRON_FILE)" 0644 || true
  record file "$CRON_FILE"
  cron=1
fi
sort -u -o "$manifest_tmp" "$manifest_tmp"
mv -f "$manifest_tmp" "$(p $MANIFEST)"
trap - EXIT

if [ -n "$old_version" ]; then say "upgraded: $old_version -> $new_version"; else say "installed $new_version as $BIN"; fi

node_units=(slapos-node-supervisord.service slapos-node-boot.service)
[ "$cron" = 1 ] || node_units+=(slapos-node.service)
if [ "$systemd" = 1 ]; then
  if [ "$units_changed" = 1 ]; then systemctl daemon-reload; fi
  if [ -n "$old_version" ]; then
    # The master and the node loop take the new binary now; the supervisor is never
    # restarted here, so the partitions' processes keep running.
    systemctl try-restart slapos-proxy.service slapos-node.service || true
  fi
  if [ "$enable" = 1 ]; then
    systemctl enable --now "${node_units[@]}"
    if [ -e "$CONF_DIR/slapos-proxy.cfg" ]; then systemctl enable --now slapos-proxy.service; fi
  else
    say "enable with: systemctl enable --now ${node_units[*]}"
    say "  and, for the local master of $CONF_DIR/slapos-proxy.cfg: systemctl enable --now slapos-proxy.service"
  fi
else
  if [ -n "$prefix" ]; then say "installed under $prefix: systemctl not called, nothing enabled. On the machine, run:"; else say "systemd is not running: nothing enabled. Once it runs:"; fi
  say "  systemctl daemon-reload && systemctl enable --now ${node_units[*]}"
  say "  and, for the local master of $CONF_DIR/slapos-proxy.cfg: systemctl enable --now slapos-proxy.service"
fi
if [ "$cron" = 1 ]; then say "the node's runs are scheduled by $CRON_FILE (logs in $LOG_DIR, rotated by slapos itself)"; fi
