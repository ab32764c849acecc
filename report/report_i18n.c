/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Japanese of report.html (report_i18n.h): one table, keyed by the
 * English text the renderers write. Terms as METI's OT security guideline
 * for semiconductor device factories uses them: ゾーン (zone), コンジット
 * (conduit), ファブエリア (fab area), ファブシステムエリア (fab system
 * area), IT/OT DMZ, 外部サービス (external services); and 証跡 (evidence),
 * 製造装置 (equipment), レシピ (recipe), 指定ホスト (designated host).
 * Markup inside an entry is the English entry's, unchanged.
 */
#include "report/report_i18n.h"

#include <inttypes.h>
#include <string.h>

struct msg {
	const char *en, *ja;
};

static const struct msg msgs[] = {
	/* the page */
	{ "Zone-separation audit report", "ゾーン分離 監査レポート" },
	{ "Policy: ", "ポリシー: " },
	{ "capture ", "キャプチャ期間 " },
	{ " UTC \xc2\xb7 generated ", " UTC \xc2\xb7 作成 " },
	{ " by fabmon ", " fabmon " },
	{ "<nav><a href=\"#run\">Run</a><a href=\"#diagram\">Diagram</a><a href=\"#zones\">"
	  "Zones</a><a href=\"#matrix\">Matrix</a><a href=\"#conduits\">Conduits</a>"
	  "<a href=\"#violations\">Violations</a><a href=\"#inventory\">Inventory</a>"
	  "<a href=\"#guideline\">Guideline</a>"
	  "<a href=\"#exposure\">Exposure</a>"
	  "<a href=\"#notes\">Notes</a></nav>\n",
	  "<nav><a href=\"#run\">実行情報</a><a href=\"#diagram\">構成図</a><a href=\"#zones\">"
	  "ゾーン</a><a href=\"#matrix\">マトリクス</a><a href=\"#conduits\">コンジット</a>"
	  "<a href=\"#violations\">違反</a><a href=\"#inventory\">資産台帳</a>"
	  "<a href=\"#guideline\">ガイドライン</a>"
	  "<a href=\"#exposure\">エクスポージャ</a>"
	  "<a href=\"#notes\">注記</a></nav>\n" },
	{ "yes", "はい" },
	{ "no", "いいえ" },
	{ "any", "すべて" },
	{ ", ", "、" },
	{ ",", "、" },

	/* summary cards */
	{ "flows", "フロー" },
	{ "zone pairs observed", "観測されたゾーンペア" },
	{ "violating zone pairs", "違反のあるゾーンペア" },
	{ "alert hits", "アラート検知数" },
	{ "zones evidenced", "証跡のあるゾーン" },
	{ "zones", "ゾーン" },
	{ "conduits observed", "観測されたコンジット" },
	{ "conduits", "コンジット" },
	{ "hosts in no zone", "ゾーン未所属のホスト" },
	{ "equipment / devices", "製造装置・機器" },

	/* 1. the run */
	{ "1. Run", "1. 実行情報" },
	{ "fabmon version (run)", "fabmon バージョン（実行時）" },
	{ "sensor", "センサー" },
	{ "mode", "モード" },
	{ "interface", "インターフェース" },
	{ "run started (wall clock)", "実行開始（実時刻）" },
	{ "runs in this eve.json", "この eve.json の実行回数" },
	{ "first flow start (capture time)", "最初のフロー開始（キャプチャ時刻）" },
	{ "last flow end (capture time)", "最後のフロー終了（キャプチャ時刻）" },
	{ "time window (s)", "対象期間（秒）" },
	{ "packets read", "読み込んだパケット数" },
	{ "bytes read", "読み込んだバイト数" },
	{ "kernel drops", "カーネルでの取りこぼし" },
	{ "interface drops", "インターフェースでの取りこぼし" },
	{ "damaged capture files", "破損したキャプチャファイル" },
	{ "eve.json records lost", "eve.json の欠落レコード" },
	{ "final stats record", "最終 stats レコード" },
	{ "alert hits (stats)", "アラート検知数（stats）" },
	{ "alert records (stats)", "アラートレコード数（stats）" },
	{ "alerts suppressed by the rate limit", "レート制限で抑止されたアラート" },
	{ "eve.json", "eve.json" },
	{ "<tr class=\"kv-row\" data-key=\"built_from\"><th>report built from</th><td>"
	  "the records of the run, as it wrote them (<code>fabmon report</code> of the "
	  "directory reads eve.json back and adds its SHA-256)</td></tr>\n",
	  "<tr class=\"kv-row\" data-key=\"built_from\"><th>レポートの作成元</th><td>"
	  "実行中に書き出したレコードそのもの（同じディレクトリに対する <code>fabmon report</code> "
	  "は eve.json を読み直し、その SHA-256 を加えます）</td></tr>\n" },
	{ "eve.json bytes written", "書き出した eve.json のバイト数" },
	{ "records written", "書き出したレコード数" },
	{ "SHA-256 of the eve.json bytes read", "読み込んだ eve.json の SHA-256" },
	{ "eve.json bytes read", "読み込んだ eve.json のバイト数" },
	{ "records read", "読み込んだレコード数" },
	{ "lines that are not JSON records (skipped)", "JSON レコードでない行（読み飛ばし）" },
	{ "<h3>Captures read</h3>\n<table><tr><th>file</th><th>SHA-256</th>"
	  "<th class=\"num\">bytes</th></tr>\n",
	  "<h3>読み込んだキャプチャ</h3>\n<table><tr><th>ファイル</th><th>SHA-256</th>"
	  "<th class=\"num\">バイト数</th></tr>\n" },
	{ "<span class=\"muted\">not hashed (", "<span class=\"muted\">ハッシュ未計算（" },
	{ ")</span>", "）</span>" },
	{ "<tr><td colspan=\"3\" class=\"muted\">none (live capture)</td></tr>\n",
	  "<tr><td colspan=\"3\" class=\"muted\">なし（ライブキャプチャ）</td></tr>\n" },
	{ "<h3>Sensors merged</h3>\n<p class=\"note\">Each sensor's output directory. A "
	  "connection two sensors saw (same Community ID, overlapping times) is counted once, "
	  "by the first directory given that has it; the later ones' records of it are counted "
	  "here as duplicates. Packet, drop and alert counters of section 1 are the sensors' "
	  "own, summed.</p>\n",
	  "<h3>統合したセンサー</h3>\n<p class=\"note\">各センサーの出力ディレクトリです。"
	  "2 台のセンサーが観測した同じ接続（Community ID が同じで時刻が重なるもの）は、"
	  "それを含む最初に指定されたディレクトリで 1 回だけ数え、以降のディレクトリのレコードは"
	  "ここで重複として数えます。1 章のパケット・取りこぼし・アラートの数は各センサー自身の値の"
	  "合計です。</p>\n" },
	{ "<table><tr><th>sensor</th><th>directory</th>"
	  "<th>SHA-256 of eve.json</th><th class=\"num\">records</th>"
	  "<th class=\"num\">flows counted</th><th class=\"num\">duplicate flows</th>"
	  "<th class=\"num\">duplicate records</th><th>policy SHA-256</th></tr>\n",
	  "<table><tr><th>センサー</th><th>ディレクトリ</th>"
	  "<th>eve.json の SHA-256</th><th class=\"num\">レコード数</th>"
	  "<th class=\"num\">計上したフロー</th><th class=\"num\">重複フロー</th>"
	  "<th class=\"num\">重複レコード</th><th>ポリシーの SHA-256</th></tr>\n" },
	{ "<h3>Policy</h3>\n", "<h3>ポリシー</h3>\n" },
	{ "name", "名称" },
	{ "source", "読み込み元" },
	{ "copy beside eve.json", "eve.json と同じ場所のコピー" },
	{ "copy matches the recorded SHA-256", "コピーが記録された SHA-256 と一致" },
	{ "used for this report", "このレポートに使用" },
	{ "default action", "既定の動作" },
	{ "roles inferred from behaviour", "通信の振る舞いからロールを推定" },
	{ "<p>The policy was reloaded during the run; the policy sections of this report "
	  "use the one in force at the end.</p>\n",
	  "<p>実行中にポリシーが再読み込みされました。このレポートのポリシーに関する章は、"
	  "終了時点で有効だったポリシーに基づきます。</p>\n" },
	{ "<table><tr><th>time</th><th>source</th><th>SHA-256</th><th>copy</th></tr>\n",
	  "<table><tr><th>時刻</th><th>読み込み元</th><th>SHA-256</th><th>コピー</th></tr>\n" },

	/* 2. the diagram */
	{ "2. Zones and conduits", "2. ゾーンとコンジット" },
	{ "<p class=\"note\">Zones by Purdue level (METI areas), with every conduit of the policy "
	  "and every observed zone pair that broke it. Hover an edge or a zone for details.</p>\n",
	  "<p class=\"note\">パーデュー階層（経済産業省ガイドラインのエリア）ごとのゾーンと、"
	  "ポリシーのすべてのコンジット、それに違反した観測済みのゾーンペアです。"
	  "線やゾーンにポインタを重ねると詳細が表示されます。</p>\n" },
	{ "Level 5 \xc2\xb7 external services", "レベル5 \xc2\xb7 外部サービス" },
	{ "Level 4 \xc2\xb7 enterprise", "レベル4 \xc2\xb7 企業IT" },
	{ "Level 3.5 \xc2\xb7 IT/OT DMZ", "レベル3.5 \xc2\xb7 IT/OT DMZ" },
	{ "Level 3 \xc2\xb7 fab system area", "レベル3 \xc2\xb7 ファブシステムエリア" },
	{ "Level 2 \xc2\xb7 fab area", "レベル2 \xc2\xb7 ファブエリア" },
	{ "Level 1 \xc2\xb7 fab area (control)", "レベル1 \xc2\xb7 ファブエリア（制御）" },
	{ "Level 0 \xc2\xb7 fab area (process)", "レベル0 \xc2\xb7 ファブエリア（プロセス）" },
	{ "not in the policy / no zone", "ポリシー外・ゾーン未所属" },
	{ "zones by Purdue level with conduits and observed zone pairs",
	  "パーデュー階層ごとのゾーンとコンジット、観測されたゾーンペア" },
	{ "conduit ", "コンジット " },
	{ ": %" PRIu64 " flows observed", ": 観測フロー %" PRIu64 " 件" },
	{ ": allowed, not observed", ": 許可、未観測" },
	{ ": %" PRIu64 " violating flows of %" PRIu64, ": 違反フロー %" PRIu64 " 件（全 %" PRIu64 " 件中）" },
	{ ": %" PRIu64 " flows through no conduit", ": コンジットを経由しないフロー %" PRIu64 " 件" },
	{ " \xe2\x80\x94 not evidenced: no host of this zone was seen",
	  " \xe2\x80\x94 証跡なし: このゾーンのホストは観測されませんでした" },
	{ " \xc2\xb7 no SL-T", " \xc2\xb7 SL-T 未設定" },
	{ "not in the policy", "ポリシー外" },
	{ "%zu host", "ホスト %zu 台" },
	{ "%zu hosts", "ホスト %zu 台" },
	{ "not evidenced", "証跡なし" },
	{ " \xc2\xb7 %" PRIu64 " intra-zone", " \xc2\xb7 ゾーン内 %" PRIu64 " 件" },
	{ "conduit allowed and observed", "コンジット（許可・観測あり）" },
	{ "conduit allowed, not observed", "コンジット（許可・未観測）" },
	{ "observed violating zone pair", "違反のあった観測ゾーンペア" },
	{ "observed, through no conduit", "観測（コンジット経由なし）" },
	{ "zone not evidenced (no host seen; not proof of absence)",
	  "証跡のないゾーン（ホスト未観測。存在しないことの証明ではありません）" },
	{ "<table class=\"edges\"><tr><th>#</th><th>from</th><th>to</th><th>edge</th>"
	  "<th>status</th><th class=\"num\">flows</th></tr>\n",
	  "<table class=\"edges\"><tr><th>#</th><th>送信元</th><th>宛先</th><th>線</th>"
	  "<th>状態</th><th class=\"num\">フロー</th></tr>\n" },
	{ "conduit <b>", "コンジット <b>" },
	{ "</b> (both ways)", "</b>（双方向）" },
	{ "observed zone pair", "観測されたゾーンペア" },
	{ "observed zone pair, flows through no conduit",
	  "観測されたゾーンペア（コンジットを経由しないフロー）" },
	{ "allowed and observed", "許可・観測あり" },
	{ "allowed, not observed", "許可・未観測" },
	{ "no conduit (unzoned or default allow)", "コンジットなし（ゾーン未所属または既定で許可）" },
	{ "<tr><td colspan=\"6\" class=\"muted\">no conduit and no observed pair between "
	  "zones</td></tr>\n",
	  "<tr><td colspan=\"6\" class=\"muted\">ゾーン間のコンジットも観測されたペアもありません"
	  "</td></tr>\n" },

	/* the guideline's areas and the verdicts */
	{ "violating", "違反" },
	{ "violation", "違反" },
	{ "allowed", "許可" },
	{ "intra-zone", "ゾーン内" },
	{ "unzoned", "ゾーン未所属" },
	{ "other", "その他" },
	{ "(none)", "（ゾーン外）" }, /* NO_ZONE, as a zone name */
	{ "critical", "重大" },
	{ "high", "高" },
	{ "medium", "中" },
	{ "low", "低" },

	/* 3. zone coverage */
	{ "3. Zone coverage", "3. ゾーンの観測範囲" },
	{ "<p class=\"note\">Hosts seen in each zone of the policy (ends of flows, placed by "
	  "fabmon's policy verdict). A zone <b>not evidenced</b> had no host in any flow of this "
	  "capture: that is not proof that it is empty or unused \xe2\x80\x94 the sensor sees "
	  "only the mirrored links (IEC 62443-3-2 ZCR 3; NIST CSF ID.AM-03).</p>\n",
	  "<p class=\"note\">ポリシーの各ゾーンで観測されたホスト（フローの端点。fabmon のポリシー判定"
	  "による配置）です。<b>証跡なし</b>のゾーンは、このキャプチャのどのフローにもホストが現れ"
	  "なかったゾーンです。空である、または使われていないことの証明ではありません"
	  "\xe2\x80\x94 センサーが見るのはミラーされたリンクだけです（IEC 62443-3-2 ZCR 3、"
	  "NIST CSF ID.AM-03）。</p>\n" },
	{ "<table><tr><th>zone</th><th>Purdue</th><th>area</th><th>SL-T</th><th>evidence</th>"
	  "<th class=\"num\">hosts</th><th class=\"num\">flows out</th>"
	  "<th class=\"num\">flows in</th><th class=\"num\">intra-zone</th><th>hosts seen</th>"
	  "<th>policy hosts not seen</th></tr>\n",
	  "<table><tr><th>ゾーン</th><th>パーデュー階層</th><th>エリア</th><th>SL-T</th><th>証跡</th>"
	  "<th class=\"num\">ホスト数</th><th class=\"num\">送信フロー</th>"
	  "<th class=\"num\">受信フロー</th><th class=\"num\">ゾーン内</th><th>観測されたホスト</th>"
	  "<th>観測されなかったポリシー上のホスト</th></tr>\n" },
	{ "evidenced", "証跡あり" },
	{ " \xe2\x80\xa6 (+%zu more, see report.json)", " \xe2\x80\xa6（ほか %zu 件、report.json を参照）" },
	{ "Zones not evidenced: ", "証跡のないゾーン: " },
	{ "<h3>Hosts in no zone</h3>\n", "<h3>ゾーン未所属のホスト</h3>\n" },
	{ "<p>None: every host seen is in a zone.</p>\n",
	  "<p>なし: 観測されたすべてのホストがいずれかのゾーンに属しています。</p>\n" },
	{ "<p class=\"note\">IEC 62443-3-2 ZCR 3.1 asks every asset to be in a zone.</p>\n",
	  "<p class=\"note\">IEC 62443-3-2 ZCR 3.1 は、すべての資産をいずれかのゾーンに割り当てることを"
	  "求めています。</p>\n" },
	{ "<table><tr><th>address</th><th class=\"num\">flows out</th>"
	  "<th class=\"num\">flows in</th><th class=\"num\">bytes</th><th>first seen</th>"
	  "<th>last seen</th></tr>\n",
	  "<table><tr><th>アドレス</th><th class=\"num\">送信フロー</th>"
	  "<th class=\"num\">受信フロー</th><th class=\"num\">バイト数</th><th>初回観測</th>"
	  "<th>最終観測</th></tr>\n" },

	/* 4. the matrix */
	{ "4. Zone \xc3\x97 zone matrix of observed flows", "4. 観測フローのゾーン間マトリクス" },
	{ "<p class=\"note\">The data flows observed between zones (rows: the zone that opened "
	  "the flow; columns: the zone it reached), to compare with the authorised flows of the "
	  "conduits (NIST CSF ID.AM-03; IEC 62443-3-2 ZCR 3). A pair is <b>violating</b> if any "
	  "of its flows broke the policy, <b>allowed</b> if a conduit allowed its flows. "
	  "\xe2\x80\x9c\xe2\x80\x93\xe2\x80\x9d: a conduit allows the pair but no flow was "
	  "seen.</p>\n",
	  "<p class=\"note\">ゾーン間で観測されたデータフローです（行: フローを開始したゾーン、"
	  "列: 到達したゾーン）。コンジットで許可されたフローと比較してください"
	  "（NIST CSF ID.AM-03、IEC 62443-3-2 ZCR 3）。フローのいずれかがポリシーに違反した"
	  "ペアは<b>違反</b>、コンジットがフローを許可したペアは<b>許可</b>です。"
	  "\xe2\x80\x9c\xe2\x80\x93\xe2\x80\x9d: コンジットはそのペアを許可していますが、"
	  "フローは観測されませんでした。</p>\n" },
	{ "from \xe2\x86\x93 / to \xe2\x86\x92", "送信元 \xe2\x86\x93 / 宛先 \xe2\x86\x92" },
	{ ", %" PRIu64 " flows\">%" PRIu64 "</td>", "、フロー %" PRIu64 " 件\">%" PRIu64 "</td>" },
	{ "<td class=\"mcell c-unused\" title=\"conduit ",
	  "<td class=\"mcell c-unused\" title=\"コンジット " },
	{ " allows this pair: not observed\">\xe2\x80\x93</td>",
	  " がこのペアを許可: 未観測\">\xe2\x80\x93</td>" },
	{ "<h3>Zone pairs</h3>\n<table><tr><th>from zone</th><th>to zone</th><th>verdict</th>"
	  "<th class=\"num\">flows</th><th class=\"num\">violating flows</th>"
	  "<th class=\"num\">bytes</th><th>applications</th><th>server ports</th>"
	  "<th>conduits</th><th>first seen</th><th>last seen</th></tr>\n",
	  "<h3>ゾーンペア</h3>\n<table><tr><th>送信元ゾーン</th><th>宛先ゾーン</th><th>判定</th>"
	  "<th class=\"num\">フロー</th><th class=\"num\">違反フロー</th>"
	  "<th class=\"num\">バイト数</th><th>アプリケーション</th><th>サーバーポート</th>"
	  "<th>コンジット</th><th>初回観測</th><th>最終観測</th></tr>\n" },
	{ "<tr><td colspan=\"11\" class=\"muted\">no flow with a policy verdict</td></tr>\n",
	  "<tr><td colspan=\"11\" class=\"muted\">ポリシー判定のあるフローはありません</td></tr>\n" },

	/* 5. conduits */
	{ "5. Conduits: allowed against observed", "5. コンジット: 許可内容と観測結果" },
	{ "<p class=\"note\">Each conduit of the policy (IEC 62443-3-2 ZCR 3: what one zone "
	  "may open toward another) with what it allows, and the flows fabmon saw go through it. "
	  "A conduit <b>not observed</b> carried no flow in this capture; it may be unused, or "
	  "its traffic is not on the mirrored links. <b>Not allowed by it</b>: flows between its "
	  "zones, in its direction, that it does not allow (application, port or initiator) "
	  "\xe2\x80\x94 each a violation.</p>\n",
	  "<p class=\"note\">ポリシーの各コンジット（IEC 62443-3-2 ZCR 3: あるゾーンから別のゾーンへ"
	  "開始してよい通信）と、その許可内容、fabmon が観測したそのコンジットを通るフローです。"
	  "<b>未観測</b>のコンジットは、このキャプチャでフローがなかったものです。使われていないか、"
	  "その通信がミラーされたリンク上にありません。<b>許可外</b>: そのゾーン間・その方向の"
	  "フローのうち、コンジットが許可していないもの（アプリケーション、ポート、開始側）"
	  "\xe2\x80\x94 いずれも違反です。</p>\n" },
	{ "<table><tr><th>conduit</th><th>zones</th><th>allows</th><th>status</th>"
	  "<th class=\"num\">flows</th><th>applications seen</th><th>ports seen</th>"
	  "<th>clients</th><th>not allowed by it</th><th>alerts on it</th></tr>\n",
	  "<table><tr><th>コンジット</th><th>ゾーン</th><th>許可内容</th><th>状態</th>"
	  "<th class=\"num\">フロー</th><th>観測されたアプリケーション</th><th>観測されたポート</th>"
	  "<th>クライアント</th><th>許可外</th><th>関連アラート</th></tr>\n" },
	{ " ports ", " ポート " },
	{ "; initiators ", "; 開始側 " },
	{ "; messages ", "; メッセージ " },
	{ "access", "アクセス種別" },
	{ "function codes", "ファンクションコード" },
	{ "units", "ユニット" },
	{ "write addresses", "書き込みアドレス" },
	{ "observed", "観測あり" },
	{ "not observed", "未観測" },
	{ " <span class=\"tag v-violating\">traffic it does not allow</span>",
	  " <span class=\"tag v-violating\">許可外の通信あり</span>" },
	{ "<br><span class=\"note\">seen by ", "<br><span class=\"note\">観測したセンサー: " },
	{ "%" PRIu64 " flow: ", "フロー %" PRIu64 " 件: " },
	{ "%" PRIu64 " flows: ", "フロー %" PRIu64 " 件: " },
	{ "; port ", "; ポート " },
	{ "; from <span class=\"mono\">", "; 送信元 <span class=\"mono\">" },
	{ "<tr><td colspan=\"10\" class=\"muted\">no policy loaded, or it has no "
	  "conduits</td></tr>\n",
	  "<tr><td colspan=\"10\" class=\"muted\">ポリシーが読み込まれていないか、コンジットが"
	  "ありません</td></tr>\n" },
	{ "<h3>Conduits in the records but not in this policy</h3>\n<p class=\"note\">"
	  "Named by flows or alerts of an earlier policy (before a reload).</p>\n",
	  "<h3>レコードにあり、このポリシーにないコンジット</h3>\n<p class=\"note\">"
	  "以前のポリシー（再読み込み前）のフローまたはアラートが記録していたものです。</p>\n" },
	{ "<table><tr><th>conduit</th><th class=\"num\">flows</th><th>applications</th>"
	  "<th>ports</th><th>zone pairs</th></tr>\n",
	  "<table><tr><th>コンジット</th><th class=\"num\">フロー</th><th>アプリケーション</th>"
	  "<th>ポート</th><th>ゾーンペア</th></tr>\n" },
	{ "<h3>HSMS (SECS/GEM) messages per host pair</h3>\n",
	  "<h3>ホストペアごとの HSMS（SECS/GEM）メッセージ</h3>\n" },
	{ "<p>No HSMS message records.</p>\n", "<p>HSMS メッセージのレコードはありません。</p>\n" },
	{ "<table><tr><th>host (client)</th><th>equipment (server)</th><th>zones</th>"
	  "<th class=\"num\">messages</th><th>stream/function histogram</th></tr>\n",
	  "<table><tr><th>ホスト（クライアント）</th><th>製造装置（サーバー）</th><th>ゾーン</th>"
	  "<th class=\"num\">メッセージ数</th><th>ストリーム/ファンクション別の件数</th></tr>\n" },
	{ "<h3>Modbus/TCP access per client</h3>\n", "<h3>クライアントごとの Modbus/TCP アクセス</h3>\n" },
	{ "<p>No Modbus/TCP traffic.</p>\n", "<p>Modbus/TCP の通信はありません。</p>\n" },
	{ "<p class=\"note\">Access classes count every request (from the flow records); "
	  "functions come from the per-PDU records, which by default leave out successful "
	  "reads.</p>\n",
	  "<p class=\"note\">アクセス種別はすべてのリクエストを数えます（フローレコードから）。"
	  "ファンクションは PDU ごとのレコードから数えるため、既定では成功した読み出しを"
	  "含みません。</p>\n" },
	{ "<table><tr><th>client</th><th>server</th><th>zones</th>"
	  "<th class=\"num\">flows</th><th class=\"num\">requests</th>"
	  "<th class=\"num\">exceptions</th><th>access classes</th><th>functions</th></tr>\n",
	  "<table><tr><th>クライアント</th><th>サーバー</th><th>ゾーン</th>"
	  "<th class=\"num\">フロー</th><th class=\"num\">リクエスト</th>"
	  "<th class=\"num\">例外応答</th><th>アクセス種別</th><th>ファンクション</th></tr>\n" },

	/* 6. violations */
	{ "6. Violations by rule", "6. ルール別の違反" },
	{ "<p class=\"note\">Count: the hits of each rule (the sum of the alert records' "
	  "<code>count</code>; repeat records carry the hits aggregated after the first). "
	  "Suppressed: hits beyond the rate limit, counted by the sensor but not recorded.</p>\n",
	  "<p class=\"note\">件数: 各ルールの検知数（アラートレコードの <code>count</code> の合計。"
	  "repeat レコードは最初の後に集約した検知数を持ちます）。抑止: レート制限を超え、センサーが"
	  "数えたものの記録しなかった検知数です。</p>\n" },
	{ "<table><tr><th>rule</th><th>severity</th><th>signature</th>"
	  "<th class=\"num\">count</th><th class=\"num\">records</th>"
	  "<th class=\"num\">suppressed</th><th>references</th><th>first seen</th>"
	  "<th>last seen</th></tr>\n",
	  "<table><tr><th>ルール</th><th>重大度</th><th>シグネチャ</th>"
	  "<th class=\"num\">件数</th><th class=\"num\">レコード数</th>"
	  "<th class=\"num\">抑止</th><th>参照規格</th><th>初回観測</th>"
	  "<th>最終観測</th></tr>\n" },
	{ "<tr><td colspan=\"9\">No alert.</td></tr>\n",
	  "<tr><td colspan=\"9\">アラートはありません。</td></tr>\n" },
	{ "<h3>Alerts (%zu listed of %" PRIu64 " records)</h3>\n",
	  "<h3>アラート（%zu 件を表示、全 %" PRIu64 " レコード）</h3>\n" },
	{ "<table><tr><th>time</th><th>rule</th><th>severity</th><th>source</th>"
	  "<th>target</th><th>zones</th><th>app</th><th class=\"num\">count</th>"
	  "<th>reason</th><th>evidence</th></tr>\n",
	  "<table><tr><th>時刻</th><th>ルール</th><th>重大度</th><th>送信元</th>"
	  "<th>対象</th><th>ゾーン</th><th>アプリケーション</th><th class=\"num\">件数</th>"
	  "<th>理由</th><th>証跡</th></tr>\n" },
	{ " (repeat)", "（繰り返し）" },

	/* 7. inventory */
	{ "7. Equipment inventory", "7. 製造装置の資産台帳" },
	{ "<p class=\"note\">Equipment (HSMS: MDLN/SOFTREV from S1F2/S1F13/S1F14) and Modbus "
	  "devices (FC 43/14, FC 17) identified in the traffic, from the last inventory record of "
	  "each (the end-of-run summary when there is one), with the baseline the policy "
	  "lists (NIST CSF ID.AM-01/02; SEMI E187).</p>\n",
	  "<p class=\"note\">通信から識別した製造装置（HSMS: S1F2/S1F13/S1F14 の MDLN/SOFTREV）と"
	  "Modbus 機器（FC 43/14、FC 17）です。それぞれ最後の資産レコード（実行終了時のまとめが"
	  "あればそれ）に基づき、ポリシーに記載されたベースラインを併記します"
	  "（NIST CSF ID.AM-01/02、SEMI E187）。</p>\n" },
	{ "<table><tr><th>address</th><th>name</th><th>zone</th><th>kind</th><th>vendor</th>"
	  "<th>model</th><th>revision</th><th>baseline</th><th>ports</th><th>hosts / clients</th>"
	  "<th>first seen</th><th>last seen</th></tr>\n",
	  "<table><tr><th>アドレス</th><th>名称</th><th>ゾーン</th><th>種別</th><th>ベンダー</th>"
	  "<th>モデル</th><th>リビジョン</th><th>ベースライン</th><th>ポート</th>"
	  "<th>ホスト / クライアント</th><th>初回観測</th><th>最終観測</th></tr>\n" },
	{ "<br><span class=\"note seen-by\">seen by ",
	  "<br><span class=\"note seen-by\">観測したセンサー: " },
	{ "<br><span class=\"note\">seen: ", "<br><span class=\"note\">観測値: " },
	{ "matches", "一致" },
	{ "differs", "相違" },
	{ "<span class=\"muted\">none</span>", "<span class=\"muted\">なし</span>" },
	{ "<tr><td colspan=\"12\">No equipment or Modbus device identified.</td></tr>\n",
	  "<tr><td colspan=\"12\">識別された製造装置・Modbus 機器はありません。</td></tr>\n" },
	{ "equipment", "製造装置" },
	{ "modbus-server", "Modbus サーバー" },

	/* 8. the guideline evidence table (report_guideline.c) */
	{ "8. Guideline evidence", "8. ガイドライン項目ごとの証跡" },
	{ "<p class=\"note\">One row per clause of METI's OT security guideline for "
	  "semiconductor device factories that passive observation can speak to, with its SEMI "
	  "E187, NIST CSF 2.0 (semiconductor profile, NIST IR 8546) and IEC 62443-3-3 "
	  "counterparts. <b>broken</b>: the traffic broke it (alerts of the rules named, or, for "
	  "the inventory, hosts in no zone); <b>observed</b>: the traffic it speaks of was seen "
	  "and nothing broke it; <b>not observed</b>: this capture cannot tell. The guideline's "
	  "clause numbers are not confirmed yet: rows cite its area and measure.</p>\n",
	  "<p class=\"note\">経済産業省「半導体デバイス工場におけるOTセキュリティガイドライン」の"
	  "項目のうち、パッシブな通信監視で確認できるものを 1 行ずつ、対応する SEMI E187、"
	  "NIST CSF 2.0（半導体製造プロファイル、NIST IR 8546）、IEC 62443-3-3 の要求とともに"
	  "示します。<b>違反あり</b>: 通信がその項目に違反した（記載のルールのアラート、資産台帳では"
	  "ゾーン未所属のホスト）。<b>観測あり</b>: 対象となる通信が観測され、違反はなかった。"
	  "<b>未観測</b>: このキャプチャからは判断できない。ガイドラインの項番は未確認のため、"
	  "各行はエリアと対策を記載しています。</p>\n" },
	{ "<table><tr><th>clause</th><th>counterparts</th><th>status</th><th>evidence</th>"
	  "<th>period</th></tr>\n",
	  "<table><tr><th>項目</th><th>対応する規格</th><th>判定</th><th>証跡</th>"
	  "<th>対象期間</th></tr>\n" },
	{ "broken", "違反あり" },
	{ "Zones separated: traffic between zones only through the conduits the policy declares "
	  "(default deny)",
	  "ゾーン分離: ゾーン間の通信はポリシーで定めたコンジットのみを経由する（デフォルト拒否）" },
	{ "METI, fab area and fab system area: network separation into zones and conduits",
	  "経済産業省ガイドライン、ファブエリア・ファブシステムエリア: ゾーンとコンジットによる"
	  "ネットワーク分離" },
	{ "No direct internet access from the fab area or the fab system area",
	  "ファブエリア・ファブシステムエリアからインターネットへ直接接続しない" },
	{ "METI, fab area and fab system area: no direct connection to external networks",
	  "経済産業省ガイドライン、ファブエリア・ファブシステムエリア: 外部ネットワークへの直接接続の"
	  "禁止" },
	{ "Enterprise, external and remote access into fab zones only through the IT/OT DMZ "
	  "(jump host) or an engineering workstation",
	  "企業IT・外部からファブのゾーンへの接続とリモートアクセスは、IT/OT DMZ（踏み台ホスト）"
	  "またはエンジニアリングワークステーション経由に限る" },
	{ "METI, IT/OT DMZ: connections between IT and OT, and remote maintenance, through the DMZ",
	  "経済産業省ガイドライン、IT/OT DMZ: IT と OT の間の接続とリモート保守は DMZ を経由する" },
	{ "No insecure or legacy protocols to or from equipment: SMB outside declared conduits, "
	  "SMBv1, cleartext Telnet, FTP, TFTP and r-commands; no service beyond those declared "
	  "for it (SEMI E187)",
	  "製造装置との間で安全でない・旧式のプロトコルを使わない: 定義されたコンジット外の SMB、"
	  "SMBv1、平文の Telnet・FTP・TFTP・r 系コマンド。装置は申告されたサービスのみを提供する"
	  "（SEMI E187）" },
	{ "METI, fab area: vulnerability management and access control of manufacturing equipment",
	  "経済産業省ガイドライン、ファブエリア: 製造装置の脆弱性管理とアクセス制御" },
	{ "Equipment told what to do only by its designated hosts: remote commands, recipes, "
	  "equipment constants, control state, alarm reports, Modbus writes",
	  "製造装置への指示は指定ホストからのみ: リモートコマンド、レシピ、装置定数、制御状態、"
	  "アラーム報告、Modbus 書き込み" },
	{ "METI, fab area: access control of manufacturing equipment (product quality)",
	  "経済産業省ガイドライン、ファブエリア: 製造装置のアクセス制御（半導体品質の維持）" },
	{ "An inventory of the equipment, and every host in a zone of the policy (none dual-homed)",
	  "製造装置の資産台帳があり、すべてのホストがポリシーのいずれかのゾーンに属する"
	  "（デュアルホームなし）" },
	{ "METI, fab system area: asset management, the inventory first",
	  "経済産業省ガイドライン、ファブシステムエリア: 資産管理（まず資産台帳）" },
	{ "Monitoring sees every zone of the policy", "監視がポリシーのすべてのゾーンを対象としている" },
	{ "METI, all areas: monitoring of the OT network",
	  "経済産業省ガイドライン、全エリア: OT ネットワークの監視" },
	{ "flows between zones", "ゾーン間のフロー" },
	{ "flows out of fab zones", "ファブのゾーンから外へのフロー" },
	{ "flows into fab zones from other zones", "他のゾーンからファブのゾーンへのフロー" },
	{ "flows to or from the fab area", "ファブエリアとの間のフロー" },
	{ "SECS/GEM commands and Modbus writes", "SECS/GEM コマンドと Modbus 書き込み" },
	{ "equipment and devices identified", "識別された製造装置・機器" },
	{ "zones of the policy seen in traffic", "通信で確認されたポリシーのゾーン" },
	/* the evidence sentence (report_guideline.c summary) */
	{ "%" PRIu64 " of %" PRIu64 " %s", "%3$s: 全 %2$" PRIu64 " 件中 %1$" PRIu64 " 件" },
	{ "%" PRIu64 " %s", "%2$s %1$" PRIu64 " 件" },
	{ "; %" PRIu64 " alert hit:", "。アラート %" PRIu64 " 件：" },
	{ "; %" PRIu64 " alert hits:", "。アラート %" PRIu64 " 件：" },
	{ "%s %s x%" PRIu64, "%s%s \xc3\x97%" PRIu64 },
	{ "; no alert of %zu rule", "。%zu 件のルールによるアラートなし" },
	{ "; no alert of %zu rules", "。%zu 件のルールによるアラートなし" },
	{ "; %" PRIu64 " host in no zone", "。ゾーン未所属のホスト %" PRIu64 " 台" },
	{ "; %" PRIu64 " hosts in no zone", "。ゾーン未所属のホスト %" PRIu64 " 台" },
	{ "; switched off by the policy, so not checked:", "。ポリシーで無効化されているため未確認：" },
	{ "%s %s", "%s%s" },
	{ "; not seen:", "。未観測：" },

	/* notes and method */
	/* 9. exposure (issue 19 item 1) */
	{ "9. Exposure: services offered", "9. エクスポージャ: 提供サービス" },
	{ "<p class=\"note\">Every host of a zone of the fab area, the fab system area or the "
	  "IT/OT DMZ that accepted connections: the services it offered (TCP: it answered; UDP: "
	  "it replied), who reached them from which zone, the insecure or legacy ones as nDPI's "
	  "flow risks and the application show them (SMBv1, Telnet, FTP, VNC, RDP, TLS below 1.2, "
	  "weak ciphers, clear-text credentials), and whether the policy's services: allows "
	  "them (SEMI E187 network security; IEC 62443-3-3 SR 7.7 least functionality). As CSV: "
	  "exposure.csv.</p>\n",
	  "<p class=\"note\">ファブエリア、ファブシステムエリア、IT/OT DMZ のゾーンにあり、接続を受け付けた"
	  "すべてのホストについて、提供サービス（TCP: 応答あり、UDP: 返信あり）、どのゾーンのどのホストが"
	  "接続したか、nDPI のフローリスクとアプリケーションから判定した安全でない・レガシーなサービス"
	  "（SMBv1、Telnet、FTP、VNC、RDP、TLS 1.2 未満、弱い暗号スイート、平文の認証情報）、ポリシーの "
	  "services: で許可されているかを示します（SEMI E187 ネットワークセキュリティ、IEC 62443-3-3 SR 7.7 "
	  "最小機能）。CSV: exposure.csv。</p>\n" },
	{ "<p>%" PRIu64 " hosts, %" PRIu64 " services offered, %" PRIu64 " insecure or "
	  "legacy, %" PRIu64 " not allowed by the policy.</p>\n",
	  "<p>ホスト %" PRIu64 " 台、提供サービス %" PRIu64 " 件、うち安全でない・レガシーなもの %" PRIu64
	  " 件、ポリシーで許可されていないもの %" PRIu64 " 件。</p>\n" },
	{ "<table><tr><th>host</th><th>service</th><th>flows</th><th>clients</th>"
	  "<th>client zones</th><th>insecure</th><th>TLS</th><th>policy</th><th>period</th>"
	  "</tr>\n",
	  "<table><tr><th>ホスト</th><th>提供サービス</th><th>フロー数</th><th>接続元</th>"
	  "<th>接続元ゾーン</th><th>安全でない理由</th><th>TLS バージョン・暗号スイート</th><th>ポリシー</th><th>期間</th>"
	  "</tr>\n" },
	{ "<br><span class=\"note\">and hosts in no zone</span>",
	  "<br><span class=\"note\">およびゾーン外のホスト</span>" },
	{ "not allowed (FAB-EXP-001)", "許可なし（FAB-EXP-001）" },
	{ "<span class=\"muted\">not declared</span>", "<span class=\"muted\">宣言なし</span>" },
	{ "<tr><td colspan=\"9\">No host of a fab zone accepted a connection.</td></tr>\n",
	  "<tr><td colspan=\"9\">接続を受け付けたファブのゾーンのホストはありません。</td></tr>\n" },
	{ "Notes and method", "注記と方法" },
	{ "Source: ", "入力: " },
	{ ", %" PRIu64 " lines, %" PRIu64 " records", "、%" PRIu64 " 行、%" PRIu64 " レコード" },
	{ ", <b>%" PRIu64 " lines that are not JSON records were skipped</b>:",
	  "、<b>JSON レコードでない %" PRIu64 " 行を読み飛ばしました</b>:" },
	{ ".</li>\n<li>Zones and verdicts are those fabmon recorded for each flow "
	  "(<code>policy</code> in the flow records) under the policy in force at the time.</li>\n"
	  "<li>Times are capture times in UTC (the run's start is wall-clock time).</li>\n"
	  "<li>References: IEC 62443-3-2 (zones and conduits, ZCR 3), IEC 62443-3-3 SR 5.1/5.2, "
	  "METI OT security guideline for semiconductor device factories (fab area, fab "
	  "system area, IT/OT DMZ, external), NIST CSF 2.0 ID.AM-03 (representation of "
	  "authorised data flows) as profiled in NIST IR 8546, SEMI E187/E188.</li>\n"
	  "<li>The same data: report.json; the matrix, the inventory and the guideline evidence "
	  "as CSV: matrix.csv, inventory.csv, guideline.csv.</li>\n</ul>\n",
	  "。</li>\n<li>ゾーンと判定は、fabmon が各フローについて、その時点で有効だったポリシーで"
	  "記録したもの（フローレコードの <code>policy</code>）です。</li>\n"
	  "<li>時刻はキャプチャ時刻（UTC）です（実行開始のみ実時刻）。</li>\n"
	  "<li>参照: IEC 62443-3-2（ゾーンとコンジット、ZCR 3）、IEC 62443-3-3 SR 5.1/5.2、"
	  "経済産業省「半導体デバイス工場におけるOTセキュリティガイドライン」（ファブエリア、"
	  "ファブシステムエリア、IT/OT DMZ、外部サービス）、NIST IR 8546 による NIST CSF 2.0 "
	  "ID.AM-03（認可されたデータフローの表現）、SEMI E187/E188。</li>\n"
	  "<li>同じデータ: report.json。マトリクス、資産台帳、ガイドライン項目ごとの証跡の CSV: "
	  "matrix.csv、inventory.csv、guideline.csv。</li>\n</ul>\n" },
};

#define NMSGS (sizeof(msgs) / sizeof(msgs[0]))

int rep_lang_parse(const char *s)
{
	if (s && !strcmp(s, "en"))
		return REP_LANG_EN;
	if (s && !strcmp(s, "ja"))
		return REP_LANG_JA;
	return -1;
}

const char *rep_lang_name(enum rep_lang lang)
{
	return lang == REP_LANG_JA ? "ja" : "en";
}

enum rep_lang rep_lang_of(const json_t *rep)
{
	const char *l = json_string_value(json_object_get(json_object_get(rep, "report"), "lang"));
	return l && !strcmp(l, "ja") ? REP_LANG_JA : REP_LANG_EN;
}

const char *tr(enum rep_lang lang, const char *key_en)
{
	if (lang == REP_LANG_EN || !key_en)
		return key_en;
	for (size_t i = 0; i < NMSGS; i++)
		if (!strcmp(msgs[i].en, key_en))
			return msgs[i].ja;
	return key_en;
}

const char *tr_area(enum rep_lang lang, const char *area)
{
	static const struct msg areas[] = {
		{ "external", "外部サービス" },
		{ "enterprise", "企業IT" },
		{ "it-ot-dmz", "IT/OT DMZ" },
		{ "fab-system-area", "ファブシステムエリア" },
		{ "fab-area", "ファブエリア" },
	};
	if (lang == REP_LANG_EN || !area)
		return area;
	for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
		if (!strcmp(areas[i].en, area))
			return areas[i].ja;
	return area;
}

const char *rep_i18n_entry(size_t i, const char **ja)
{
	if (i >= NMSGS)
		return NULL;
	*ja = msgs[i].ja;
	return msgs[i].en;
}
