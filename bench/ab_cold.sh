#!/bin/bash
# Cold builds of two Arshif checkouts, alternating on the same site, with each phase's timings.
#
#   bench/ab_cold.sh OLD_CHECKOUT NEW_CHECKOUT SITE [ROUNDS]
#
# e.g. bench/ab_cold.sh /tmp/old . bench/out/work/n10000/arshif-site 3
# (make OLD_CHECKOUT with `git worktree add --detach /tmp/old COMMIT`). Every round deletes SITE's cache
# and each engine's output folder (beside SITE), then runs `build --clean` with ARSHIF_TIMINGS=1 under GNU
# time, old first in odd rounds and new first in even ones. Both run with this checkout's .venv. Prints the
# load, the phase lines and "TIME wall user sys peak-KB" for each build.
set -euo pipefail
old=$(realpath "$1"); new=$(realpath "$2"); site=$(realpath "$3"); rounds=${4:-3}
python="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python"  # not realpath: that would leave the venv
unset PYTHONDONTWRITEBYTECODE
run() {
  rm -rf "$site/.cache" "$site-out-$1"
  echo "== round $3 $1, load $(cut -d' ' -f1-3 /proc/loadavg)"
  ARSHIF_TIMINGS=1 /usr/bin/time -f "TIME %e wall %U user %S sys %M KB" "$python" "$2/generate.py" build \
    --root "$site" --output "$site-out-$1" --quiet --clean 2>&1 | grep -v '^  [a-z]*ing [0-9]'
}
for round in $(seq 1 "$rounds"); do
  if (( round % 2 )); then run old "$old" "$round"; run new "$new" "$round"; else run new "$new" "$round"; run old "$old" "$round"; fi
done
