#!/bin/bash
# One-edit `deploy --to DIR` of two Arshif checkouts, alternating, each on its own copy of one site.
#
#   bench/ab_deploy.sh OLD_CHECKOUT NEW_CHECKOUT SITE_OLD SITE_NEW ARTICLE [ROUNDS]
#
# e.g. bench/ab_deploy.sh /tmp/old . /tmp/deploy10k-b /tmp/deploy10k content/2020/x.md 7
# SITE_OLD and SITE_NEW are two copies of the same site (bench/deploy_bench.py makes one; cp -a the
# other): a deploy keeps its cache in the site folder, so each checkout needs its own. Each deploys to
# SITE-www beside its site. A first deploy of each is not timed; then every round appends the same
# sentence to ARTICLE in both copies and times each checkout's deploy (GNU time, wall seconds), the
# order swapped every round. Both run with this checkout's .venv. ARTICLE is put back at the end.
set -euo pipefail
old=$(realpath "$1"); new=$(realpath "$2"); site_old=$(realpath "$3"); site_new=$(realpath "$4")
article=$5; rounds=${6:-6}
python="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python"  # not realpath: that would leave the venv
saved=$(mktemp); cp "$site_new/$article" "$saved"
run() { /usr/bin/time -f "$1 %e s wall" "$python" "$2/generate.py" deploy --root "$3" --to "$3-www" > /dev/null; }
run old-first "$old" "$site_old"; run new-first "$new" "$site_new"
for round in $(seq 1 "$rounds"); do
  for site in "$site_old" "$site_new"; do printf '\nفقرة للقياس رقم %s.\n' "$round" >> "$site/$article"; done
  if (( round % 2 )); then run old "$old" "$site_old"; run new "$new" "$site_new"
  else run new "$new" "$site_new"; run old "$old" "$site_old"; fi
  uptime
done
for site in "$site_old" "$site_new"; do cp "$saved" "$site/$article"; done
rm "$saved"
