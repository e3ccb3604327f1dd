#!/usr/bin/env bash
# Opens a `ttscale report` page in headless Chromium: takes a screenshot and fails if any image is broken.
# Not part of `dotnet test` (CI has no browser): install Chromium first (Debian: apt-get install -y chromium).
#
#   tests/browser/check-report.sh REPORT_DIR/index.html [SCREENSHOT.png]
set -euo pipefail

page=${1:?usage: check-report.sh REPORT_DIR/index.html [SCREENSHOT.png]}
shot=${2:-${page%/*}/screenshot.png}
[[ -f "$page" ]] || { echo "check-report: $page: not found" >&2; exit 2; }
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[[ -n "$browser" ]] || { echo "check-report: no Chromium found; install it (apt-get install -y chromium)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A copy of the page with a script that, once every image has loaded or failed, writes the verdict into the DOM.
cp "$page" "$work/index.html"
cat >> "$work/index.html" <<'SCRIPT'
<script>
window.addEventListener('load', () => {
  const images = [...document.images];
  const broken = images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.dataset.figure || i.alt);
  const verdict = document.createElement('pre');
  verdict.id = 'image-check';
  verdict.textContent = `IMAGES ${images.length} BROKEN ${broken.length}: ${broken.join(', ')}`;
  document.body.appendChild(verdict);
});
</script>
SCRIPT

flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --allow-file-access-from-files --virtual-time-budget=5000)
"$browser" "${flags[@]}" --dump-dom "file://$work/index.html" 2>/dev/null > "$work/dom.html"
verdict=$(grep -o 'IMAGES [0-9]* BROKEN [0-9]*:[^<]*' "$work/dom.html" || true)
[[ -n "$verdict" ]] || { echo "check-report: the page did not finish loading (no verdict in the DOM)" >&2; exit 1; }
echo "check-report: $verdict"

# The screenshot is of the page as shipped, not the copy with the verdict.
"$browser" "${flags[@]}" --screenshot="$(realpath -m "$shot")" --window-size=1280,2600 "file://$(realpath "$page")" >/dev/null 2>&1
echo "check-report: screenshot at $shot"

total=$(sed -E 's/^IMAGES ([0-9]+) .*/\1/' <<<"$verdict")
broken=$(sed -E 's/.*BROKEN ([0-9]+):.*/\1/' <<<"$verdict")
[[ "$total" -gt 0 ]] || { echo "check-report: FAIL: the page has no images" >&2; exit 1; }
[[ "$broken" == 0 ]] || { echo "check-report: FAIL: $broken broken image(s)" >&2; exit 1; }
echo "check-report: OK"
