#!/bin/bash
# One-body-edit rebuilds of two Arshif checkouts, alternating on the same site and the same article.
#
#   bench/ab_edit.sh OLD_CHECKOUT NEW_CHECKOUT SITE ARTICLE [ROUNDS]
#
# e.g. bench/ab_edit.sh /tmp/old . bench/out/work/n10000/arshif-site content/2018/x.md 6
# (make OLD_CHECKOUT with `git worktree add --detach /tmp/old COMMIT`). Each checkout builds into its own
# output folder beside SITE (so each keeps its own cache); both run with this checkout's .venv. Every round
# appends a sentence to ARTICLE, then times each engine's build (GNU time: wall, user+system CPU, peak RSS),
# the order swapped every round, then a no-change build of each. ARTICLE is put back at the end.
set -euo pipefail
old=$(realpath "$1"); new=$(realpath "$2"); site=$(realpath "$3"); article="$site/$4"; rounds=${5:-6}
python="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python"  # not realpath: that would leave the venv
unset PYTHONDONTWRITEBYTECODE
saved=$(mktemp); cp "$article" "$saved"
run() { /usr/bin/time -f "$1 $2 %e s wall %U+%S s cpu %M KB" "$python" "$3/generate.py" build --root "$site" \
          --output "$site-out-$1" --quiet; }
run old warm "$old"; run new warm "$new"
for round in $(seq 1 "$rounds"); do
  printf '\nفقرة للقياس رقم %s.\n' "$round" >> "$article"
  if (( round % 2 )); then run old edit "$old"; run new edit "$new"; else run new edit "$new"; run old edit "$old"; fi
  run old nochange "$old"; run new nochange "$new"
  uptime
done
cp "$saved" "$article"; rm "$saved"
