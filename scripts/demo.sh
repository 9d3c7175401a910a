#!/usr/bin/env bash
# The whole daily loop on synthetic data, each step through the installed batch-ship CLI:
# init -> sample-data -> export --courier zto -> sample-return -> import-tracking -> void
# (a rejected batch, exported again) -> ship (one order by hand) -> report,
# then printing and shipping today: numbers add -> export --from-stock (labels, pick list,
# packing slips, upload) -> labels reprint -> handover -> status.
# Usage: scripts/demo.sh [DIR]   (default demo/; `make demo` installs first, then runs this)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:-demo}"
ORDERS="${DEMO_ORDERS:-300}"
BS="$ROOT/.venv/bin/batch-ship"
PY="$ROOT/.venv/bin/python"
MARKER=".batch-ship-demo"  # only a folder this script made is ever deleted

if [ ! -x "$BS" ]; then
    echo "demo: $BS not found; run 'make demo' (it installs first) or 'make install'" >&2
    exit 1
fi

# Re-running starts from a clean demo folder, but never deletes a folder it did not create.
if [ -e "$DIR" ]; then
    if [ -f "$DIR/$MARKER" ]; then
        rm -rf -- "$DIR"
    elif [ -d "$DIR" ] && [ -z "$(ls -A -- "$DIR")" ]; then
        rmdir -- "$DIR"
    else
        echo "demo: $DIR exists and was not made by this script; choose another folder" >&2
        exit 1
    fi
fi

step() { printf '\n== %s\n' "$*" >&2; }
json_field() { "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]] or "")' "$1" "$2"; }

step "1. init: a fresh workspace in $DIR"
"$BS" --home "$DIR" init
touch "$DIR/$MARKER"
# A demo sender so the courier workbook's 寄件人 columns are filled.
"$PY" - "$DIR/batch_ship.toml" <<'EOF'
import re, sys
from pathlib import Path
path = Path(sys.argv[1])
sender = {"name": "演示店铺", "phone": "13800000000", "province": "浙江省", "city": "杭州市",
          "district": "余杭区", "address": "文一西路969号"}
text = path.read_text(encoding="utf-8")
for key, value in sender.items():
    text = re.sub(rf'(?m)^{key} = ""', f'{key} = "{value}"', text, count=1)
path.write_text(text, encoding="utf-8")
print(f"filled [sender] in {path} with a demo sender")
EOF

step "2. sample-data: $ORDERS synthetic Taobao orders (order report + item report)"
DOWNLOADS="$DIR/downloads"
"$BS" --home "$DIR" sample-data "$DOWNLOADS" --orders "$ORDERS" --seed 1
ORDER_REPORT="$(ls "$DOWNLOADS"/ExportOrderList*.csv | head -n 1)"

step "3. export --courier zto"
"$BS" --home "$DIR" export "$ORDER_REPORT" --courier zto --json > "$DIR/export.json"
BATCH="$(json_field "$DIR/export.json" batch)"
if [ -z "$BATCH" ]; then
    echo "demo: export made no batch; see $DIR/export.json" >&2
    exit 1
fi
"$PY" - "$DIR/export.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
counts = lambda d: ", ".join(f"{k} {v}" for k, v in d.items()) or "none"
print(f"batch {s['batch']}: {s['orders_read']} orders read, {s['orders_submitted']} submitted "
      f"in {s['parcels']} parcels; exceptions: {counts(s['exceptions'])}; "
      f"skipped: {counts(s['skipped'])}")
EOF

step "4. sample-return: the courier's simulated tracking-number workbook"
RETURN="$DIR/downloads/zto-return-$BATCH.xlsx"
"$BS" --home "$DIR" sample-return --batch "$BATCH" "$RETURN"

step "5. import-tracking"
"$BS" --home "$DIR" import-tracking "$RETURN" --batch "$BATCH" --json > "$DIR/import.json"
"$PY" - "$DIR/import.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"batch {s['batch']}: {s['parcels_matched']} parcels matched, {s['orders_shipped']} orders "
      f"shipped, {s['unknown_rows']} unknown rows, {s['invalid_numbers']} invalid numbers")
EOF

step "6. void: a second batch the courier rejected goes back, and out again with sf"
"$BS" --home "$DIR" sample-data "$DIR/downloads/later" --orders 20 --seed 2 >/dev/null
LATER="$(ls "$DIR"/downloads/later/ExportOrderList*.csv | head -n 1)"
"$BS" --home "$DIR" export "$LATER" --courier zto --json > "$DIR/export-later.json"
REJECTED="$(json_field "$DIR/export-later.json" batch)"
"$BS" --home "$DIR" void "$REJECTED" --reason "demo: the courier rejected the file" --json > "$DIR/void.json"
"$BS" --home "$DIR" export "$LATER" --courier sf --json > "$DIR/export-sf.json"
"$PY" - "$DIR/void.json" "$DIR/export-sf.json" <<'EOF'
import json, sys
v, e = (json.load(open(path)) for path in sys.argv[1:])
print(f"voided batch {v['batch']}: {v['parcels']} parcels, {len(v['orders'])} orders "
      f"({v['reason']}); exported again as batch {e['batch']} ({e['courier']}): "
      f"{e['orders_submitted']} orders")
EOF

step "7. ship: one order taken to the counter by hand, number typed in"
HAND="$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["orders"][0])' "$DIR/void.json")"
"$BS" --home "$DIR" ship "$HAND" --courier sf --tracking SF1234567890123

step "8. report"
REPORT="$("$BS" --home "$DIR" report --batch "$BATCH")"

step "9. numbers add: a stock of waybill numbers bought from ZTO in advance"
"$BS" --home "$DIR" sample-data "$DIR/downloads2" --orders "$ORDERS" --seed 2 --stamp 202611261400 >/dev/null
STOCK_REPORT="$(ls "$DIR/downloads2"/ExportOrderList*.csv | head -n 1)"
"$BS" --home "$DIR" numbers add --courier zto --range 730000000001 --count "$((ORDERS + 600))"
"$BS" --home "$DIR" numbers status

step "10. export --from-stock: numbers in the batch's transaction, upload, labels, pick list, slips"
"$BS" --home "$DIR" export "$STOCK_REPORT" --courier zto --from-stock --json > "$DIR/export-stock.json"
STOCK_BATCH="$(json_field "$DIR/export-stock.json" batch)"
"$PY" - "$DIR/export-stock.json" <<'EOF2'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"batch {s['batch']}: {s['parcels']} parcels numbered from stock, {len(s['labels'])} label/pick/slip files")
EOF2

step "11. labels --batch: a reprint gives the same numbers"
"$BS" --home "$DIR" labels --batch "$STOCK_BATCH" --printer zpl > /dev/null

step "12. handover --courier zto: the 交接单 for the van"
"$BS" --home "$DIR" handover --courier zto --json > "$DIR/handover.json"
"$BS" --home "$DIR" numbers status
"$BS" --home "$DIR" status

step "Done. Outputs:"
{
    echo "workspace       $DIR  (config $DIR/batch_ship.toml, ledger $DIR/ledger.sqlite3)"
    echo "order report    $ORDER_REPORT"
    echo "courier return  $RETURN"
    for file in "$DIR/batches/$BATCH"/*; do
        echo "batch output    $file"
    done
    for file in "$DIR/batches/$STOCK_BATCH"/*; do
        echo "from stock      $file"
    done
    for file in "$DIR"/handovers/*/*; do
        echo "handover        $file"
    done
    echo "HTML report     $REPORT"
    for file in "$DIR"/uploads/*; do
        echo "manual upload   $file"
    done
    echo "JSON summaries  $DIR/export.json $DIR/import.json $DIR/void.json $DIR/export-stock.json $DIR/handover.json"
}
