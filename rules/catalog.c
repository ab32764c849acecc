/* SPDX-License-Identifier: BSD-2-Clause */
/* The rule table. Ids and sids are stable: never renumber, only add. */
#include "rules/catalog.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define RB(r) ROLE_BIT(ROLE_##r)

static const struct rule_def defs[R_COUNT] = {
	[R_ZONE_NO_CONDUIT] = { R_ZONE_NO_CONDUIT, "FAB-ZC-001", 9100001, 2, "zone-separation",
		"Inter-zone flow that no conduit allows (default deny)", 0,
		{ "62443-3-3:SR5.1", "62443-3-3:SR5.2", "CSF:PR.IR-01", "E187:NW", "METI:all-areas" },
		.signature_ja = "コンジットで許可されていないゾーン間通信（デフォルト拒否）" },
	[R_CONDUIT_NOT_ALLOWED] = { R_CONDUIT_NOT_ALLOWED, "FAB-ZC-002", 9100002, 2,
		"conduit-violation",
		"Application, port or initiator not allowed by the conduit between these zones", 0,
		{ "62443-3-3:SR5.2", "CSF:PR.IR-01", "E187:NW", "E188" },
		.signature_ja = "ゾーン間のコンジットで許可されていないアプリケーション、ポートまたは通信開始元" },
	[R_LEVEL_SKIP] = { R_LEVEL_SKIP, "FAB-ZC-003", 9100003, 1, "level-skipping",
		"Enterprise or external host reaches a fab zone directly, bypassing the IT/OT DMZ", 0,
		{ "METI:DMZ", "62443-3-3:SR5.1", "62443-3-3:SR5.2", "62443-3-3:SR1.13",
		  "CSF:PR.IR-01" },
		.signature_ja = "企業IT・外部のホストが IT/OT DMZ を経由せずファブのゾーンへ直接到達" },
	[R_FAB_TO_INTERNET] = { R_FAB_TO_INTERNET, "FAB-ZC-004", 9100004, 1, "internet-egress",
		"Fab-area host (equipment, AMHS, controller) talks to the internet", 0,
		{ "METI:FA", "E187:NW", "CSF:PR.IR-01", "62443-3-3:SR5.2" },
		.signature_ja = "ファブエリアのホスト（製造装置、AMHS、制御機器）がインターネットと通信" },
	[R_SYSTEM_TO_INTERNET] = { R_SYSTEM_TO_INTERNET, "FAB-ZC-005", 9100005, 2,
		"internet-egress", "Fab-system-area host talks to the internet", 0,
		{ "METI:FSA", "CSF:PR.IR-01", "62443-3-3:SR5.2" },
		.signature_ja = "ファブシステムエリアのホストがインターネットと通信" },
	[R_REMOTE_ACCESS] = { R_REMOTE_ACCESS, "FAB-RA-001", 9100101, 2, "remote-access",
		"Remote access into a fab zone not from a jump host or engineering workstation",
		RB(JUMP_HOST) | RB(ENGINEERING_WORKSTATION),
		{ "62443-3-3:SR1.13", "62443-3-3:SR2.1", "CSF:DE.CM-06", "METI:DMZ", "E188" },
		.signature_ja = "踏み台ホスト・エンジニアリングワークステーション以外からファブのゾーンへのリモートアクセス" },
	[R_SMB_EQUIPMENT] = { R_SMB_EQUIPMENT, "FAB-SMB-001", 9100201, 2, "lateral-movement",
		"SMB to or from equipment outside a conduit that allows it", 0,
		{ "E187:NW", "E188", "62443-3-3:SR5.2", "CSF:PR.IR-01" },
		.signature_ja = "許可するコンジットのない製造装置との SMB 通信" },
	[R_SMB1_EQUIPMENT] = { R_SMB1_EQUIPMENT, "FAB-SMB-002", 9100202, 1, "lateral-movement",
		"SMBv1 to or from equipment (the WannaCry path of the 2018 fab outbreak)", 0,
		{ "E187:NW", "E188", "62443-3-3:SR5.2", "CSF:PR.PS-02" },
		.signature_ja = "製造装置との SMBv1 通信（2018 年のファブ感染事例における WannaCry の経路）" },
	[R_CLEARTEXT] = { R_CLEARTEXT, "FAB-CL-001", 9100301, 3, "insecure-protocol",
		"Cleartext legacy protocol (Telnet, FTP, TFTP, r-commands) in a fab zone", 0,
		{ "62443-3-3:SR4.1", "62443-3-3:SR1.1", "E187:NW", "CSF:PR.DS-02" },
		.signature_ja = "ファブのゾーン内での平文のレガシープロトコル（Telnet、FTP、TFTP、r 系コマンド）" },
	[R_HSMS_REMOTE_COMMAND] = { R_HSMS_REMOTE_COMMAND, "FAB-HSMS-001", 9100401, 1,
		"equipment-control", "HSMS remote command (S2F41/S2F49/S2F21) from a host without the role",
		RB(EQUIPMENT_HOST) | RB(MCS),
		{ "62443-3-3:SR2.1", "CSF:PR.AA-05", "METI:FSA", "E187:NW" },
		.signature_ja = "権限のないホストからの HSMS リモートコマンド（S2F41/S2F49/S2F21）" },
	[R_HSMS_RECIPE_DOWNLOAD] = { R_HSMS_RECIPE_DOWNLOAD, "FAB-HSMS-002", 9100402, 1,
		"recipe-tampering", "Recipe download (S7F3/S7F23) to equipment from a host without the role",
		RB(EQUIPMENT_HOST) | RB(RECIPE_SERVER),
		{ "62443-3-3:SR2.1", "62443-3-3:SR3.1", "CSF:PR.AA-05", "METI:FA" },
		.signature_ja = "権限のないホストから製造装置へのレシピダウンロード（S7F3/S7F23）" },
	[R_HSMS_RECIPE_DELETE] = { R_HSMS_RECIPE_DELETE, "FAB-HSMS-003", 9100403, 2,
		"recipe-tampering", "Recipe delete (S7F17) from a host without the role",
		RB(EQUIPMENT_HOST) | RB(RECIPE_SERVER),
		{ "62443-3-3:SR2.1", "CSF:PR.AA-05", "METI:FA" },
		.signature_ja = "権限のないホストからのレシピ削除（S7F17）" },
	[R_HSMS_EC_CHANGE] = { R_HSMS_EC_CHANGE, "FAB-HSMS-004", 9100404, 2, "equipment-control",
		"Equipment constant change (S2F15) from a host without the role", RB(EQUIPMENT_HOST),
		{ "62443-3-3:SR2.1", "CSF:PR.AA-05", "METI:FA" },
		.signature_ja = "権限のないホストからの装置定数の変更（S2F15）" },
	[R_HSMS_CONTROL_STATE] = { R_HSMS_CONTROL_STATE, "FAB-HSMS-005", 9100405, 2,
		"equipment-control", "Equipment offline/online request (S1F15/S1F17) from a host without the role",
		RB(EQUIPMENT_HOST) | RB(MCS), { "62443-3-3:SR2.1", "CSF:PR.AA-05", "METI:FA" },
		.signature_ja = "権限のないホストからの装置オフライン/オンライン要求（S1F15/S1F17）" },
	[R_HSMS_ALARM_REPORT_OFF] = { R_HSMS_ALARM_REPORT_OFF, "FAB-HSMS-006", 9100406, 2,
		"monitoring-evasion",
		"Alarm or event report disabled (S5F3/S2F37) by a host without the role",
		RB(EQUIPMENT_HOST) | RB(MCS),
		{ "62443-3-3:SR2.1", "62443-3-3:SR6.2", "CSF:DE.CM-09", "E187:MON" },
		.signature_ja = "権限のないホストによるアラーム・イベント報告の無効化（S5F3/S2F37）" },
	[R_HSMS_RECIPE_UPLOAD] = { R_HSMS_RECIPE_UPLOAD, "FAB-HSMS-007", 9100407, 2,
		"data-exfiltration",
		"Recipe upload (S7F5/S7F6, S7F25/S7F26) to a host that is not the recipe server or EAP",
		RB(EQUIPMENT_HOST) | RB(RECIPE_SERVER),
		{ "METI:FA", "CSF:DE.CM-09", "CSF:PR.DS-01", "62443-3-3:SR4.1" },
		.signature_ja = "レシピサーバー・EAP 以外のホストへのレシピアップロード（S7F5/S7F6、S7F25/S7F26）" },
	[R_HSMS_SECOND_HOST] = { R_HSMS_SECOND_HOST, "FAB-HSMS-008", 9100408, 2,
		"equipment-control", "A second host selects HSMS equipment that has its designated host",
		RB(EQUIPMENT_HOST) | RB(MCS),
		{ "62443-3-3:SR2.1", "62443-3-3:SR3.1", "CSF:DE.CM-01", "E187:NW" },
		.signature_ja = "指定ホストのある HSMS 製造装置を別のホストが選択（Select）" },
	[R_HSMS_NO_CONDUIT] = { R_HSMS_NO_CONDUIT, "FAB-HSMS-009", 9100409, 2, "conduit-violation",
		"HSMS session that no conduit names", 0,
		{ "62443-3-3:SR5.2", "CSF:PR.IR-01", "E187:NW" },
		.signature_ja = "どのコンジットにも定義されていない HSMS セッション" },
	[R_HSMS_MESSAGE_NOT_ALLOWED] = { R_HSMS_MESSAGE_NOT_ALLOWED, "FAB-HSMS-010", 9100410, 2,
		"conduit-violation", "HSMS message the conduit does not allow", 0,
		{ "62443-3-3:SR5.2", "62443-3-3:SR3.5", "CSF:PR.IR-01" },
		.signature_ja = "コンジットで許可されていない HSMS メッセージ" },
	[R_MODBUS_WRITE] = { R_MODBUS_WRITE, "FAB-MB-001", 9100501, 2, "controller-write",
		"Modbus write from a host without the role",
		RB(SCADA) | RB(ENGINEERING_WORKSTATION),
		{ "62443-3-3:SR2.1", "CSF:PR.AA-05", "METI:FA" },
		.signature_ja = "権限のないホストからの Modbus 書き込み" },
	[R_MODBUS_DIAG_PROG] = { R_MODBUS_DIAG_PROG, "FAB-MB-002", 9100502, 2, "controller-write",
		"Modbus diagnostics or programming function from a host without the role",
		RB(ENGINEERING_WORKSTATION), { "62443-3-3:SR2.1", "CSF:PR.AA-05", "METI:FA" },
		.signature_ja = "権限のないホストからの Modbus 診断・プログラミング機能" },
	[R_MODBUS_ADDRESS] = { R_MODBUS_ADDRESS, "FAB-MB-003", 9100503, 2, "controller-write",
		"Modbus write outside the address ranges the conduit allows", 0,
		{ "62443-3-3:SR2.1", "62443-3-3:SR3.5", "CSF:PR.AA-05" },
		.signature_ja = "コンジットで許可されたアドレス範囲外への Modbus 書き込み" },
	[R_MODBUS_NOT_ALLOWED] = { R_MODBUS_NOT_ALLOWED, "FAB-MB-004", 9100504, 2,
		"conduit-violation", "Modbus function or unit the conduit does not allow", 0,
		{ "62443-3-3:SR5.2", "62443-3-3:SR2.1", "CSF:PR.IR-01" },
		.signature_ja = "コンジットで許可されていない Modbus ファンクションまたはユニット" },
	[R_INV_NO_ZONE] = { R_INV_NO_ZONE, "FAB-INV-001", 9100601, 3, "asset-inventory",
		"Host in no zone", 0, { "CSF:ID.AM-01", "CSF:ID.AM-03", "62443-3-3:SR7.8", "METI:FSA" },
		.signature_ja = "どのゾーンにも属さないホスト" },
	[R_INV_NEW_HOST] = { R_INV_NEW_HOST, "FAB-INV-002", 9100602, 3, "asset-inventory",
		"Host not in the inventory of its zone (new host)", 0,
		{ "CSF:ID.AM-01", "CSF:DE.CM-01", "62443-3-3:SR7.8" },
		.signature_ja = "ゾーンの資産台帳にないホスト（新規ホスト）" },
	[R_INV_MAC_TWO_ZONES] = { R_INV_MAC_TWO_ZONES, "FAB-INV-003", 9100603, 2, "asset-inventory",
		"One MAC address in two zones (dual-homed host or VLAN hopping)", 0,
		{ "CSF:ID.AM-03", "62443-3-3:SR5.1", "62443-3-3:SR7.8" },
		.signature_ja = "1 つの MAC アドレスが 2 つのゾーンに出現（デュアルホームまたは VLAN ホッピング）" },
	[R_INV_IDENTITY] = { R_INV_IDENTITY, "FAB-INV-004", 9100604, 3, "asset-inventory",
		"Equipment model or software revision differs from the baseline", 0,
		{ "CSF:ID.AM-02", "CSF:DE.CM-09", "E187:NW", "62443-3-3:SR7.8" },
		.signature_ja = "製造装置のモデルまたはソフトウェアリビジョンがベースラインと相違" },
	[R_ANOMALY_HSMS] = { R_ANOMALY_HSMS, "FAB-AN-HSMS", 9100701, 3, "protocol-anomaly",
		"HSMS/SECS-II protocol anomaly", 0, { "CSF:DE.AE-02", "CSF:DE.CM-01", "E187:MON" },
		.signature_ja = "HSMS/SECS-II プロトコル異常" },
	[R_ANOMALY_MODBUS] = { R_ANOMALY_MODBUS, "FAB-AN-MODBUS", 9100702, 3, "protocol-anomaly",
		"Modbus/TCP protocol anomaly", 0, { "CSF:DE.AE-02", "CSF:DE.CM-01" },
		.signature_ja = "Modbus/TCP プロトコル異常" },
	/* Scans and floods (issue 16): counted over half-open TCP flows per
	 * interval (rules/engine_scan.c, the policy's `scan:` thresholds). A
	 * flood is denial of service (62443-3-3 SR 7.1); all three are what
	 * network monitoring is for (CSF 2.0 DE.CM-01, analysed as adverse
	 * events DE.AE-02; 62443-3-3 SR 6.2 continuous monitoring). Ids are
	 * in the FAB-SCAN family so that tools can tell them from per-flow rules. */
	[R_SCAN_SYN_FLOOD] = { R_SCAN_SYN_FLOOD, "FAB-SCAN-001", 9100801, 2, "denial-of-service",
		"SYN flood: many half-open TCP connections to one fab host in an interval", 0,
		{ "62443-3-3:SR7.1", "62443-3-3:SR6.2", "CSF:DE.CM-01", "CSF:DE.AE-02", "METI:FA" },
		.signature_ja = "SYN フラッド: 一定時間内にファブの 1 ホストへ多数のハーフオープン TCP 接続" },
	[R_SCAN_PORT_SCAN] = { R_SCAN_PORT_SCAN, "FAB-SCAN-002", 9100802, 2, "reconnaissance",
		"Port scan: one source probes many ports of one fab host in an interval", 0,
		{ "62443-3-3:SR6.2", "CSF:DE.CM-01", "CSF:DE.AE-02", "METI:FA" },
		.signature_ja = "ポートスキャン: 一定時間内に 1 つの送信元がファブの 1 ホストの多数のポートを探索" },
	[R_SCAN_HOST_SWEEP] = { R_SCAN_HOST_SWEEP, "FAB-SCAN-003", 9100803, 2, "reconnaissance",
		"Host sweep: one source probes many fab hosts in an interval", 0,
		{ "62443-3-3:SR6.2", "CSF:DE.CM-01", "CSF:DE.AE-02", "METI:FA" },
		.signature_ja = "ホストスイープ: 一定時間内に 1 つの送信元がファブの多数のホストを探索" },
	/* Behaviour baseline (issue 19 item 2): what `fabmon learn` saw each
	 * host pair do is the policy's `baseline:`; a SECS/GEM message,
	 * remote command, process program or equipment constant, or a Modbus
	 * function or register range, outside it is an adverse event to
	 * analyse (CSF 2.0 DE.AE-02, DE.CM-09: software and its use
	 * monitored; 62443-3-3 SR 6.2; SEMI E187 security monitoring). */
	[R_BASELINE_HSMS] = { R_BASELINE_HSMS, "FAB-BL-001", 9100901, 2, "baseline",
		"SECS/GEM message, remote command, recipe or equipment constant outside the "
		"learned baseline of this host and equipment", 0,
		{ "CSF:DE.AE-02", "CSF:DE.CM-09", "62443-3-3:SR6.2", "E187:MON", "METI:FA" },
		.signature_ja = "このホストと製造装置の学習済みベースラインにない SECS/GEM メッセージ、リモートコマンド、レシピまたは装置定数" },
	[R_BASELINE_MODBUS] = { R_BASELINE_MODBUS, "FAB-BL-002", 9100902, 2, "baseline",
		"Modbus function or register range outside the learned baseline of this client and "
		"server", 0, { "CSF:DE.AE-02", "CSF:DE.CM-09", "62443-3-3:SR6.2", "METI:FA" },
		.signature_ja = "このクライアントとサーバーの学習済みベースラインにない Modbus ファンクションまたはレジスタ範囲" },
	/* Exposure (issue 19 item 1): SEMI E187's network security asks that
	 * equipment expose only the services it needs; IEC 62443-3-3 SR 7.7
	 * (least functionality) that unneeded ports and services be
	 * prohibited; the METI guideline's fab area measures restrict what
	 * equipment offers. Raised once per host and service the policy's
	 * `services:` does not allow (rules/engine_exposure.c). */
	[R_EXP_SERVICE] = { R_EXP_SERVICE, "FAB-EXP-001", 9101001, 2, "exposure",
		"Host offers a service its declared services (policy services:) do not allow", 0,
		{ "E187:NW", "62443-3-3:SR7.7", "METI:FA", "CSF:ID.AM-02" },
		.signature_ja = "宣言された提供サービス（ポリシーの services:）にないサービスをホストが提供" },
};

const struct rule_def *rule_def(enum rule_id r)
{
	return (unsigned)r < R_COUNT ? &defs[r] : NULL;
}

const struct rule_def *rule_def_by_id(const char *id)
{
	for (int i = 0; i < R_COUNT; i++)
		if (strcasecmp(defs[i].id, id) == 0)
			return &defs[i];
	return NULL;
}

const char *rule_severity_name(int severity)
{
	static const char *const n[] = { "?", "critical", "high", "medium", "low" };
	return severity >= 1 && severity <= 4 ? n[severity] : "?";
}

int rule_settings_from_policy(const struct policy *p, struct rule_setting out[R_COUNT],
			      struct policy_error *err)
{
	for (int i = 0; i < R_COUNT; i++)
		out[i] = (struct rule_setting){ true, defs[i].severity, defs[i].roles };
	if (!p)
		return 0;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct policy_rule *o = &p->rules[i];
		const struct rule_def *d = rule_def_by_id(o->id);
		if (!d) {
			snprintf(err->file, sizeof(err->file), "%s", p->source);
			err->line = o->line;
			err->column = 1;
			snprintf(err->msg, sizeof(err->msg),
				 "unknown rule id '%s' (see `fabmon rules` for the list)", o->id);
			return -1;
		}
		struct rule_setting *s = &out[d->rule];
		if (o->enabled >= 0)
			s->enabled = o->enabled;
		if (o->severity)
			s->severity = (uint8_t)o->severity;
		if (o->roles)
			s->roles = o->roles;
	}
	return 0;
}

/* Anomalies that mean an attack or a broken peer rather than a slow one. */
uint8_t rule_anomaly_severity(const char *name)
{
	static const struct { const char *name; uint8_t sev; } t[] = {
		{ "HSMS_LENGTH_TOO_LARGE", 2 },    /* buffer exhaustion attempts */
		{ "HSMS_LENGTH_TOO_SMALL", 2 },
		{ "HSMS_TRANSACTION_FLOOD", 2 },
		{ "HSMS_DATA_BEFORE_SELECT", 2 },  /* injection without a session */
		{ "HSMS_DATA_AFTER_SEPARATE", 2 },
		{ "HSMS_UNEXPECTED_DIRECTION", 2 },/* host-only message from equipment, or back */
		/* junk before the first message: an attempt to keep a monitor from
		 * claiming the connection (issue 16), or a broken peer */
		{ "HSMS_JUNK_BEFORE_FIRST_MESSAGE", 2 },
		{ "MODBUS_JUNK_BEFORE_FIRST_ADU", 2 },
		{ "MODBUS_FLOODED", 2 },
		{ "MODBUS_INVALID_PROTOCOL_ID", 2 },
		{ "MODBUS_INVALID_FUNCTION_CODE", 2 },
		{ "HSMS_T3_TIMEOUT", 4 },
		{ "HSMS_CONTROL_TIMEOUT", 4 },
		{ "HSMS_UNANSWERED_AT_CLOSE", 4 },
		{ "HSMS_REJECT", 4 },
		{ "HSMS_SELECT_REFUSED", 4 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].sev;
	return 3;
}
