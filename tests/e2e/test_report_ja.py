#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The audit report in Japanese (issue 19 item 4) and the alerts' signature_ja.

usage: test_report_ja.py FABMON SOURCE_ROOT ARTEFACT_DIR

On the demo (built-in policy) and the zone scenario's violating capture
(tests/tools/gen_zone_scenario.py, the example site policy with a name_ja
for two zones), each written by `fabmon -r ... --report-lang ja` at the
end of the run and by `fabmon report --lang ja` and `--lang en`:
  - report.json: report.lang; the rest identical to the English report's
    (but for when it was generated), the zones' name_ja from the policy;
    the CSV files byte-identical;
  - report.html: <html lang="ja">, the headings in Japanese (exact
    strings), and in headless Chromium's DOM the data-* values of every
    row (matrix, zones, conduits, rules, alerts, assets, clauses, summary
    cards, diagram edges and boxes) identical to the English report's; the
    rules' titles the catalog's Japanese; the clauses' status words; no
    table heading left in English; the zones' Japanese names shown;
  - glyphs: fontconfig has a Japanese font (fc-list :lang=ja), and every
    character of the Japanese DOM's text is covered by an installed font
    (fc-list ':charset=...'), so the page shows no missing-glyph boxes;
  - a screenshot (kept in ARTEFACT_DIR, its path printed): not blank;
  - every alert record of both runs has alert.signature_ja, the Japanese of
    its rule as listed below (independent of rules/catalog.c);
  - --lang / --report-lang with anything but ja or en: a usage error.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser

sys.path.insert(0, os.path.dirname(__file__))
from fabmon_test_util import Check, comparable_report, read_eve  # noqa: E402

FABMON, ROOT, ARTEFACTS = sys.argv[1], sys.argv[2], sys.argv[3]
SITE = os.path.join(ROOT, "zones/examples/fab-site.yaml")
DEMO = os.path.join(ROOT, "demo/fab-demo.pcap")
GEN = os.path.join(ROOT, "tests/tools/gen_zone_scenario.py")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

c = Check("report-ja")

# The rules' titles in Japanese, as a fab auditor reads them.
SIGNATURE_JA = {
    "FAB-ZC-001": "コンジットで許可されていないゾーン間通信（デフォルト拒否）",
    "FAB-ZC-002": "ゾーン間のコンジットで許可されていないアプリケーション、ポートまたは通信開始元",
    "FAB-ZC-003": "企業IT・外部のホストが IT/OT DMZ を経由せずファブのゾーンへ直接到達",
    "FAB-ZC-004": "ファブエリアのホスト（製造装置、AMHS、制御機器）がインターネットと通信",
    "FAB-ZC-005": "ファブシステムエリアのホストがインターネットと通信",
    "FAB-RA-001": "踏み台ホスト・エンジニアリングワークステーション以外からファブのゾーンへの"
                  "リモートアクセス",
    "FAB-SMB-001": "許可するコンジットのない製造装置との SMB 通信",
    "FAB-SMB-002": "製造装置との SMBv1 通信（2018 年のファブ感染事例における WannaCry の経路）",
    "FAB-CL-001": "ファブのゾーン内での平文のレガシープロトコル（Telnet、FTP、TFTP、r 系コマンド）",
    "FAB-HSMS-001": "権限のないホストからの HSMS リモートコマンド（S2F41/S2F49/S2F21）",
    "FAB-HSMS-002": "権限のないホストから製造装置へのレシピダウンロード（S7F3/S7F23）",
    "FAB-HSMS-003": "権限のないホストからのレシピ削除（S7F17）",
    "FAB-HSMS-004": "権限のないホストからの装置定数の変更（S2F15）",
    "FAB-HSMS-005": "権限のないホストからの装置オフライン/オンライン要求（S1F15/S1F17）",
    "FAB-HSMS-006": "権限のないホストによるアラーム・イベント報告の無効化（S5F3/S2F37）",
    "FAB-HSMS-007": "レシピサーバー・EAP 以外のホストへのレシピアップロード"
                    "（S7F5/S7F6、S7F25/S7F26）",
    "FAB-HSMS-008": "指定ホストのある HSMS 製造装置を別のホストが選択（Select）",
    "FAB-HSMS-009": "どのコンジットにも定義されていない HSMS セッション",
    "FAB-HSMS-010": "コンジットで許可されていない HSMS メッセージ",
    "FAB-MB-001": "権限のないホストからの Modbus 書き込み",
    "FAB-MB-002": "権限のないホストからの Modbus 診断・プログラミング機能",
    "FAB-MB-003": "コンジットで許可されたアドレス範囲外への Modbus 書き込み",
    "FAB-MB-004": "コンジットで許可されていない Modbus ファンクションまたはユニット",
    "FAB-INV-001": "どのゾーンにも属さないホスト",
    "FAB-INV-002": "ゾーンの資産台帳にないホスト（新規ホスト）",
    "FAB-INV-003": "1 つの MAC アドレスが 2 つのゾーンに出現（デュアルホームまたは VLAN ホッピング）",
    "FAB-INV-004": "製造装置のモデルまたはソフトウェアリビジョンがベースラインと相違",
    "FAB-AN-HSMS": "HSMS/SECS-II プロトコル異常",
    "FAB-AN-MODBUS": "Modbus/TCP プロトコル異常",
    "FAB-SCAN-001": "SYN フラッド: 一定時間内にファブの 1 ホストへ多数のハーフオープン TCP 接続",
    "FAB-SCAN-002": "ポートスキャン: 一定時間内に 1 つの送信元がファブの 1 ホストの多数のポートを探索",
    "FAB-SCAN-003": "ホストスイープ: 一定時間内に 1 つの送信元がファブの多数のホストを探索",
}

H1 = "ゾーン分離 監査レポート"
H2 = ["1. 実行情報", "2. ゾーンとコンジット", "3. ゾーンの観測範囲", "4. 観測フローのゾーン間マトリクス",
      "5. コンジット: 許可内容と観測結果", "6. ルール別の違反", "7. 製造装置の資産台帳",
      "8. ガイドライン項目ごとの証跡", "9. エクスポージャ: 提供サービス", "注記と方法"]
STATUS_JA = {"broken": "違反あり", "observed": "観測あり", "not observed": "未観測"}
# rows whose data-* values must be the English report's
ROW_CLASSES = ("matrix-row", "mcell", "zone-row", "conduit-row", "rule-row", "alert-row",
               "asset-row", "clause-row", "card", "edge-row", "edge", "zone-box", "hsms-row",
               "modbus-row", "unzoned-row", "input-row", "kv-row", "sf", "level", "exposure-row")
NAME_JA = {"fab-equipment": "製造装置ゾーン", "fab-system": "ファブシステム（MES・EAP）"}
JA_RE = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


class Dom(HTMLParser):
    """The data-* attributes of the rows (by class), the text of headings,
    table headings and rule/clause cells, and all the text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows = {}
        self.text = []
        self.stack = []
        self.cur = None           # (kind, list) collecting a cell's text
        self.headings = {"h1": [], "h2": [], "h3": [], "th": []}
        self.rule_sig = {}
        self.clause = {}
        self.zone_cells = []
        self.lang = None
        self._row = None
        self._cell = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag in ("style", "script", "title"):
            self._skip += 1
        for cls in (a.get("class") or "").split():
            if cls in ROW_CLASSES:
                self.rows.setdefault(cls, []).append(
                    tuple(sorted((k, v) for k, v in a.items() if k.startswith("data-"))))
        if tag == "tr":
            self._row = a
            self._cell = 0
        if tag in ("td", "th"):
            self._cell += 1
        if tag in self.headings:
            self.cur = (tag, [])
        elif tag == "td" and self._row and "rule-row" in (self._row.get("class") or "") \
                and self._cell == 3:
            self.cur = ("sig", [])
        elif tag == "td" and self._row and "clause-row" in (self._row.get("class") or "") \
                and self._cell in (1, 3):
            self.cur = ("clause%d" % self._cell, [])
        elif tag == "td" and self._row and "zone-row" in (self._row.get("class") or "") \
                and self._cell == 1:
            self.cur = ("zone", [])

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self._skip -= 1
        if self.cur and ((tag in self.headings and self.cur[0] == tag) or
                         (tag == "td" and self.cur[0] not in self.headings)):
            kind, parts = self.cur
            t = " ".join("".join(parts).split())
            if kind in self.headings:
                self.headings[kind].append(t)
            elif kind == "sig":
                self.rule_sig[self._row.get("data-rule")] = t
            elif kind.startswith("clause"):
                self.clause.setdefault(self._row.get("data-clause"), {})[kind] = t
            else:
                self.zone_cells.append((self._row.get("data-zone"), t))
            self.cur = None

    def handle_data(self, d):
        if self._skip:
            return
        self.text.append(d)
        if self.cur:
            self.cur[1].append(d)


def dom_of(html_path, tmp):
    r = run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--user-data-dir=" + os.path.join(tmp, "chrome"), "--dump-dom",
             "file://" + os.path.abspath(html_path)])
    c.eq(f"chromium --dump-dom {html_path} exit", r.returncode, 0, r.stderr[-300:])
    d = Dom()
    d.feed(r.stdout)
    return d


def uncovered(chars):
    """The characters no installed font covers (fontconfig, as Chromium uses it)."""
    cps = sorted({ord(ch) for ch in chars if not ch.isspace() and ord(ch) >= 0x20})
    pat = ":charset=" + " ".join("%x" % cp for cp in cps)
    allfonts = run(["fc-list", pat, "family"]).stdout.strip()
    if allfonts:
        return [], allfonts        # one font has them all
    miss = [chr(cp) for cp in cps
            if not run(["fc-list", ":charset=%x" % cp, "family"]).stdout.strip()]
    return miss, ""


def check_alerts(label, out):
    recs = read_eve(os.path.join(out, "eve.json"))
    alerts = [r["alert"] for r in recs if r.get("event_type") == "alert"]
    c.true(f"{label}: alerts written", len(alerts) > 0)
    bad = [(a["rule_id"], a.get("signature_ja")) for a in alerts
           if a.get("signature_ja") != SIGNATURE_JA.get(a["rule_id"])]
    c.eq(f"{label}: every alert's signature_ja is its rule's Japanese title", bad, [])
    # beside signature, in the record's text too
    with open(os.path.join(out, "eve.json"), encoding="utf-8") as f:
        lines = [ln for ln in f if '"event_type":"alert"' in ln]
    c.true(f"{label}: signature_ja follows signature in the record",
           all(re.search(r'"signature":"[^"]*","signature_ja":"', ln) for ln in lines))
    return recs


def strip_gen(rep):
    rep["report"].pop("lang", None)
    rep.pop("sensors", None)
    return rep


def check_report(label, en_dir, ja_dir, tmp, name_ja=None, shot=None):
    """ja_dir's report against en_dir's (same eve.json)."""
    with open(os.path.join(ja_dir, "report.json"), encoding="utf-8") as f:
        ja = json.load(f)
    with open(os.path.join(en_dir, "report.json"), encoding="utf-8") as f:
        en = json.load(f)
    c.eq(f"{label}: report.lang", (ja["report"].get("lang"), en["report"].get("lang")),
         ("ja", "en"))
    for z in ja["zones"]:
        c.eq(f"{label}: zone {z['name']} name_ja", z.get("name_ja"), (name_ja or {}).get(z["name"]))
    rj, re_ = comparable_report(ja_dir), comparable_report(en_dir)
    c.eq(f"{label}: report.json identical but for the language",
         json.dumps(strip_gen(rj), sort_keys=True), json.dumps(strip_gen(re_), sort_keys=True))
    for csv in ("matrix.csv", "inventory.csv", "guideline.csv", "exposure.csv"):
        with open(os.path.join(ja_dir, csv), "rb") as a, open(os.path.join(en_dir, csv), "rb") as b:
            c.eq(f"{label}: {csv} identical", a.read(), b.read())

    with open(os.path.join(ja_dir, "report.html"), encoding="utf-8") as f:
        html = f.read()
    c.true(f"{label}: <html lang=\"ja\">", html.startswith('<!DOCTYPE html>\n<html lang="ja">'))
    dj, de = dom_of(os.path.join(ja_dir, "report.html"), tmp), dom_of(
        os.path.join(en_dir, "report.html"), tmp)
    c.eq(f"{label}: DOM lang", (dj.lang, de.lang), ("ja", "en"))
    c.eq(f"{label}: h1", dj.headings["h1"], [H1])
    c.eq(f"{label}: h2", dj.headings["h2"], H2)
    c.true(f"{label}: every h3 in Japanese", all(JA_RE.search(h) for h in dj.headings["h3"]),
           str([h for h in dj.headings["h3"] if not JA_RE.search(h)]))
    zones = {z["name"] for z in ja["zones"]} | set((name_ja or {}).values())
    allowed = {"#", "SHA-256", "SL-T", "eve.json", ""} | zones
    left = [h for h in dj.headings["th"] if not JA_RE.search(h) and h not in allowed]
    c.eq(f"{label}: no table heading left in English", left, [])
    # the report the run wrote says "built from the run" where the one
    # that read eve.json back has its SHA-256: that row aside
    skip = {(("data-key", "built_from"),), (("data-key", "eve_json_sha256"),)}
    for cls in ROW_CLASSES:
        c.eq(f"{label}: data-* of the {cls} rows as in English",
             [x for x in dj.rows.get(cls) or [] if x not in skip],
             [x for x in de.rows.get(cls) or [] if x not in skip])
    c.true(f"{label}: rule rows", len(dj.rule_sig) > 0)
    c.eq(f"{label}: rule titles in Japanese", dj.rule_sig,
         {r: SIGNATURE_JA[r] for r in dj.rule_sig})
    c.eq(f"{label}: clause rows", sorted(dj.clause), sorted(x["clause"] for x in
                                                            ja["guideline_evidence"]))
    for x in ja["guideline_evidence"]:
        row = dj.clause.get(x["clause"], {})
        c.true(f"{label}: clause {x['clause']} title in Japanese",
               JA_RE.search(row.get("clause1", "")) and x["title"] not in row.get("clause1", ""))
        c.eq(f"{label}: clause {x['clause']} status word", row.get("clause3"),
             STATUS_JA[x["status"]])
    for z, t in dj.zone_cells:
        if name_ja and z in name_ja:
            c.eq(f"{label}: zone {z} shown by its Japanese name", t, name_ja[z] + z)

    # glyphs: a Japanese font, and every character of the text covered
    text = "".join(dj.text)
    c.true(f"{label}: Japanese text in the DOM", len(JA_RE.findall(text)) > 500)
    miss, fonts = uncovered(text)
    c.eq(f"{label}: characters no installed font has (missing-glyph boxes)", miss, [])
    c.true(f"{label}: one font covers all of the text ({fonts[:80]})", "Noto Sans CJK JP" in fonts
           or "Noto Serif CJK JP" in fonts)
    if shot:
        check_screenshot(os.path.join(ja_dir, "report.html"), tmp, shot)
    return dj


def check_screenshot(html_path, tmp, shot):
    import test_report  # the PNG decoder of the English report's test
    r = run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--user-data-dir=" + os.path.join(tmp, "chrome"), "--screenshot=" + shot,
             "--window-size=1400,2400", "file://" + os.path.abspath(html_path)])
    c.eq("chromium --screenshot exit", r.returncode, 0)
    c.true(f"screenshot written: {shot}", os.path.exists(shot) and os.path.getsize(shot) > 1000)
    if not os.path.exists(shot):
        return
    print(f"report-ja: screenshot {shot}")
    w, h, rows, bpp = test_report.png_pixels(shot)
    c.eq("screenshot size", (w, h), (1400, 2400))
    colours, non_white, dark, total = set(), 0, 0, 0
    for y in range(0, h, 3):
        row = rows[y]
        for x in range(0, w * bpp, 3 * bpp):
            px = row[x:x + 3]
            colours.add(px)
            total += 1
            non_white += px != b"\xff\xff\xff"
            dark += sum(px) < 200
    c.true("screenshot has many colours", len(colours) > 100, f"({len(colours)})")
    c.true("screenshot is not blank", non_white > total // 5, f"({non_white} of {total})")
    c.true("screenshot has text (dark pixels)", dark > total // 200, f"({dark} of {total})")


def site_with_name_ja(path):
    with open(SITE, encoding="utf-8") as f:
        text = f.read()
    for z, ja in NAME_JA.items():
        text, n = re.subn(r"(\{name: %s,)" % re.escape(z), r'\1 name_ja: "%s",' % ja, text)
        c.eq(f"site policy: name_ja given to {z}", n, 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def scenario(label, pcap, policy, tmp, name_ja=None, shot=None):
    run_ja = os.path.join(tmp, label + "-run")
    cmd = [FABMON, "-q", "-r", pcap, "-o", run_ja, "--report-lang", "ja"]
    if policy:
        cmd += ["-c", policy]
    r = run(cmd)
    c.eq(f"{label}: fabmon -r --report-lang ja exit", (r.returncode, r.stderr), (0, ""))
    check_alerts(label, run_ja)
    en, ja = os.path.join(tmp, label + "-en"), os.path.join(tmp, label + "-ja")
    for d, lang in ((en, "en"), (ja, "ja")):
        r = run([FABMON, "report", run_ja, "-o", d, "--lang", lang, "-q"])
        c.eq(f"{label}: fabmon report --lang {lang} exit", (r.returncode, r.stderr), (0, ""))
    # the report at the end of the run (built from the run) and fabmon
    # report (eve.json read back) in Japanese: both against the English one
    check_report(label + " (report --lang ja)", en, ja, tmp, name_ja, shot)
    check_report(label + " (-r --report-lang ja)", en, run_ja, tmp, name_ja)


def main():
    t0 = time.time()
    os.makedirs(ARTEFACTS, exist_ok=True)
    fl = run(["fc-list", ":lang=ja", "family"]).stdout
    c.true("fontconfig has a Japanese font (fc-list :lang=ja; Debian fonts-noto-cjk)",
           "Noto Sans CJK JP" in fl, fl[:200])
    with tempfile.TemporaryDirectory(prefix="fabmon-report-ja-") as tmp:
        scenario("demo", DEMO, None, tmp, shot=os.path.join(ARTEFACTS, "report-ja-demo.png"))
        r = run(["/usr/bin/python3", GEN, tmp])
        c.eq("zone scenario generated", r.returncode, 0, r.stderr[-300:])
        site = os.path.join(tmp, "site-ja.yaml")
        site_with_name_ja(site)
        scenario("violations", os.path.join(tmp, "fab-violations.pcap"), site, tmp, NAME_JA,
                 shot=os.path.join(ARTEFACTS, "report-ja-violations.png"))
        # usage errors
        r = run([FABMON, "report", os.path.join(tmp, "demo-run"), "--lang", "fr"])
        c.eq("report --lang fr: usage error", (r.returncode, "--lang takes ja or en" in r.stderr),
             (2, True))
        r = run([FABMON, "-q", "-r", DEMO, "-o", os.path.join(tmp, "x"), "--report-lang", "jp"])
        c.eq("--report-lang jp: usage error",
             (r.returncode, "--report-lang takes ja or en" in r.stderr), (2, True))
        # a name_ja that is not text: the policy's error, as description's
        bad = os.path.join(tmp, "bad.yaml")
        with open(bad, "w", encoding="utf-8") as f:
            f.write("zones:\n  - {name: z, name_ja: [a], purdue: 2, area: fab-area}\n")
        r = run([FABMON, "check-policy", bad])
        c.eq("name_ja as a list: policy error", (r.returncode, "bad.yaml:2:24: name_ja must be a "
                                                 "value, found a list" in r.stderr), (6, True))
    print(f"report-ja: artefacts in {ARTEFACTS}; {time.time() - t0:.1f} s")
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
