# shellcheck shell=bash
# Shared by the dev service scripts (sourced; they define ROOT, log and die first).

check_traversable() {  # $1 = user, $2 = dir: every component must be enterable by the user
  local user="$1" path="" comp
  # the repo root itself may come from a clone made under umask 077
  if [ "$(( 0$(stat -c %a "$ROOT") & 01 ))" -eq 0 ]; then
    log "making $ROOT traversable (o+x) for $user"; chmod o+x "$ROOT"
  fi
  local IFS=/
  for comp in $2; do
    [ -n "$comp" ] || continue
    path="$path/$comp"
    runuser -u "$user" -- test -x "$path" \
      || die "user '$user' cannot enter $path (mode $(stat -c %A "$path")); run: chmod o+x '$path'"
  done
}
