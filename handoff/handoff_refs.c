/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon handoff`: the fixed texts a bundle cites, the TLP 2.0 levels with
 * their STIX 2.1 marking definitions, what the references of the rule
 * catalogue (alert.references) mean, and the lower case that alert ids and
 * STIX protocol names are written in. */
#include "handoff/handoff_bundle.h"

#include <string.h>
#include <strings.h>

static const struct tlp_def tlps[] = {
	{ "CLEAR", "WHITE", "TLP:CLEAR",
	  "Recipients can spread this to the world, there is no limit on disclosure.",
	  "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "TLP:WHITE", "white" },
	{ "GREEN", NULL, "TLP:GREEN",
	  "Limited disclosure, recipients can spread this within their community.",
	  "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "TLP:GREEN", "green" },
	{ "AMBER", NULL, "TLP:AMBER",
	  "Limited disclosure, recipients can only spread this on a need-to-know basis within "
	  "their organization and its clients.",
	  "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER", "amber" },
	{ "AMBER+STRICT", NULL, "TLP:AMBER+STRICT",
	  "Limited disclosure, recipients can only spread this on a need-to-know basis within "
	  "their own organization (not its clients).",
	  "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER", "amber" },
	{ "RED", NULL, "TLP:RED",
	  "For the eyes and ears of individual recipients only, no further disclosure.",
	  "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED", "red" },
};

const struct tlp_def *ho_tlp_parse(const char *s)
{
	if (!strncasecmp(s, "TLP:", 4))
		s += 4;
	for (size_t i = 0; i < sizeof(tlps) / sizeof(tlps[0]); i++)
		if (!strcasecmp(s, tlps[i].name) || (tlps[i].alias && !strcasecmp(s, tlps[i].alias)))
			return &tlps[i];
	return NULL;
}

static const struct ref_text ref_texts[] = {
	{ "METI:FA", "METI semiconductor OT security guideline", "fab area",
	  "the fab area (ファブエリア, Purdue 0-2): process and metrology equipment, AMHS, "
	  "facility controllers; what protects production quality and confidential recipes" },
	{ "METI:FSA", "METI semiconductor OT security guideline", "fab system area",
	  "the fab system area (ファブシステムエリア, Purdue 3): MES, EAP (SECS/GEM host), RMS, "
	  "FDC, SCADA; the only systems that should command equipment" },
	{ "METI:DMZ", "METI semiconductor OT security guideline", "IT/OT DMZ",
	  "the IT/OT DMZ (Purdue 3.5): every connection between enterprise or external "
	  "networks and the fab goes through it (jump host, relays)" },
	{ "METI:EXT", "METI semiconductor OT security guideline", "external services",
	  "external services (外部サービス): the internet, cloud and vendors' remote support" },
	{ "METI:all-areas", "METI semiconductor OT security guideline", "all areas",
	  "all areas: the fab is separated into zones and only the connections the site "
	  "needs are allowed between them" },
	{ "E187:NW", "SEMI E187", "network security",
	  "SEMI E187 (Specification for Cybersecurity of Fab Equipment), network security: "
	  "the equipment's network exposure and communication are limited to what it needs" },
	{ "E187:MON", "SEMI E187", "security monitoring",
	  "SEMI E187 (Specification for Cybersecurity of Fab Equipment), security monitoring: "
	  "security-relevant events of the equipment can be logged and monitored" },
	{ "E188", "SEMI E188", NULL,
	  "SEMI E188 (Specification for Malware Free Equipment Integration): equipment is "
	  "integrated free of malware, with its software and network use declared by the supplier" },
	{ "CSF:ID.AM-01", "NIST CSF 2.0", "ID.AM-01",
	  "Inventories of hardware managed by the organization are maintained" },
	{ "CSF:ID.AM-02", "NIST CSF 2.0", "ID.AM-02",
	  "Inventories of software, services, and systems managed by the organization are maintained" },
	{ "CSF:ID.AM-03", "NIST CSF 2.0", "ID.AM-03",
	  "Representations of the organization's authorized network communication and internal "
	  "and external network data flows are maintained" },
	{ "CSF:PR.AA-05", "NIST CSF 2.0", "PR.AA-05",
	  "Access permissions, entitlements, and authorizations are defined in a policy, managed, "
	  "enforced, and reviewed, and incorporate the principles of least privilege and "
	  "separation of duties" },
	{ "CSF:PR.DS-01", "NIST CSF 2.0", "PR.DS-01",
	  "The confidentiality, integrity, and availability of data-at-rest are protected" },
	{ "CSF:PR.DS-02", "NIST CSF 2.0", "PR.DS-02",
	  "The confidentiality, integrity, and availability of data-in-transit are protected" },
	{ "CSF:PR.PS-02", "NIST CSF 2.0", "PR.PS-02",
	  "Software is maintained, replaced, and removed commensurate with risk" },
	{ "CSF:PR.IR-01", "NIST CSF 2.0", "PR.IR-01",
	  "Networks and environments are protected from unauthorized logical access and usage" },
	{ "CSF:DE.CM-01", "NIST CSF 2.0", "DE.CM-01",
	  "Networks and network services are monitored to find potentially adverse events" },
	{ "CSF:DE.CM-06", "NIST CSF 2.0", "DE.CM-06",
	  "External service provider activities and services are monitored to find potentially "
	  "adverse events" },
	{ "CSF:DE.CM-09", "NIST CSF 2.0", "DE.CM-09",
	  "Computing hardware and software, runtime environments, and their data are monitored "
	  "to find potentially adverse events" },
	{ "CSF:DE.AE-02", "NIST CSF 2.0", "DE.AE-02",
	  "Potentially adverse events are analyzed to better understand associated activities" },
	{ "62443-3-3:SR1.1", "IEC 62443-3-3", "SR 1.1", "Human user identification and authentication" },
	{ "62443-3-3:SR1.13", "IEC 62443-3-3", "SR 1.13", "Access via untrusted networks" },
	{ "62443-3-3:SR2.1", "IEC 62443-3-3", "SR 2.1", "Authorization enforcement" },
	{ "62443-3-3:SR3.1", "IEC 62443-3-3", "SR 3.1", "Communication integrity" },
	{ "62443-3-3:SR3.5", "IEC 62443-3-3", "SR 3.5", "Input validation" },
	{ "62443-3-3:SR4.1", "IEC 62443-3-3", "SR 4.1", "Information confidentiality" },
	{ "62443-3-3:SR5.1", "IEC 62443-3-3", "SR 5.1", "Network segmentation" },
	{ "62443-3-3:SR5.2", "IEC 62443-3-3", "SR 5.2", "Zone boundary protection" },
	{ "62443-3-3:SR6.2", "IEC 62443-3-3", "SR 6.2", "Continuous monitoring" },
	{ "62443-3-3:SR7.7", "IEC 62443-3-3", "SR 7.7", "Least functionality" },
	{ "62443-3-3:SR7.8", "IEC 62443-3-3", "SR 7.8", "Control system component inventory" },
};

const struct ref_text *ho_ref_lookup(const char *key)
{
	for (size_t i = 0; i < sizeof(ref_texts) / sizeof(ref_texts[0]); i++)
		if (!strcmp(ref_texts[i].key, key))
			return &ref_texts[i];
	return NULL;
}

void ho_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}
