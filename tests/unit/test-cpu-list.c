/* SPDX-License-Identifier: BSD-2-Clause */
/* CPU lists (util/cpu_list): the forms taskset(1) takes, every malformed
 * one refused with its reason, the limit on how many, and pinning the
 * calling thread, checked against what the kernel then reports in
 * /proc/thread-self/status. */
#include "util/cpu_list.h"
#include "test.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

static int parse(const char *text, uint16_t *out, unsigned max, char *why)
{
	why[0] = '\0';
	return cpu_list_parse(text, out, max, why, 128);
}

static void test_forms(void)
{
	uint16_t c[16];
	char why[128];
	CHECK_EQ(parse("0", c, 16, why), 1);
	CHECK_EQ(c[0], 0);
	CHECK_EQ(parse("3,1", c, 16, why), 2);
	CHECK_EQ(c[0], 3);
	CHECK_EQ(c[1], 1); /* the order given: worker 0 on CPU 3 */
	CHECK_EQ(parse("0-3", c, 16, why), 4);
	CHECK_EQ(c[3], 3);
	CHECK_EQ(parse("1,4-5,0", c, 16, why), 4);
	CHECK_EQ(c[1], 4);
	CHECK_EQ(c[2], 5);
	CHECK_EQ(c[3], 0);
	CHECK_EQ(parse("2-2", c, 16, why), 1);
	CHECK_EQ(c[0], 2);
	CHECK_EQ(parse("0,0", c, 16, why), 2); /* two workers may share a CPU */
	CHECK_EQ(parse("1023", c, 16, why), 1);
	CHECK_EQ(c[0], 1023);
}

static void test_refused(void)
{
	/* each list, and the reason given (NULL: only that it is refused) */
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "", "no CPU given" },
		{ "a", "'a' is not a CPU number (0..1023)" },
		{ "1,x", "'x' is not a CPU number (0..1023)" },
		{ "-1", NULL },
		{ "+1", NULL },
		{ " 1", NULL },
		{ "1024", "'1024' is not a CPU number (0..1023)" },
		{ "99999999999999999999", NULL },
		{ "3-1", "the range '3-1' runs backwards" },
		{ "1-", "'1-' is not a range of CPU numbers (0..1023)" },
		{ "1-2-3", "'1-2-3' is not a CPU number or range" },
		{ "1,", "the list ends with a comma" },
		{ "1,,2", NULL },
		{ "1;2", NULL },
		{ "0-4", "more than 4 CPUs" },
		{ "0-1023", "more than 4 CPUs" }, /* stops at the limit, writes no more */
	};
	uint16_t c[4];
	char why[128];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(parse(bad[i].text, c, 4, why), -1);
		CHECK(why[0] != '\0');
		if (bad[i].why)
			CHECK_STR(why, bad[i].why);
	}
	CHECK_EQ(parse("0-3", c, 4, why), 4);
}

/* Cpus_allowed_list of the calling thread, as the kernel says */
static void allowed_now(char *buf, size_t len)
{
	buf[0] = '\0';
	FILE *f = fopen("/proc/thread-self/status", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Cpus_allowed_list:", 18)) {
			char *v = line + 18;
			while (*v == ' ' || *v == '\t')
				v++;
			size_t n = strcspn(v, "\n");
			if (n >= len)
				n = len - 1;
			memcpy(buf, v, n);
			buf[n] = '\0';
		}
	fclose(f);
}

static void *pin_thread(void *arg)
{
	unsigned cpu = *(unsigned *)arg;
	static char got[2][64];
	CHECK_EQ(cpu_pin_self(cpu), 0);
	allowed_now(got[cpu & 1], sizeof(got[0]));
	return got[cpu & 1];
}

static void test_pin(void)
{
	char before[256], mine[256], proc[256];
	CHECK_EQ(cpu_list_allowed(before, sizeof(before)), 1);
	allowed_now(proc, sizeof(proc));
	CHECK_STR(before, proc); /* the same list as the kernel's own */
	CHECK_EQ(cpu_list_allowed(mine, 1), 0); /* no room for a CPU and the NUL */
	/* the first CPU this thread may use */
	unsigned first = 0;
	while (!cpu_list_is_allowed(first) && first < CPU_LIST_MAX_CPU)
		first++;
	CHECK(cpu_list_is_allowed(first));
	CHECK(!cpu_list_is_allowed(CPU_LIST_MAX_CPU + 1));
	CHECK_EQ(cpu_pin_self(CPU_LIST_MAX_CPU + 100000), -EINVAL);
	/* a thread pins itself; the calling thread keeps its own CPUs */
	pthread_t t;
	void *got = NULL;
	CHECK_EQ(pthread_create(&t, NULL, pin_thread, &first), 0);
	pthread_join(t, &got);
	char want[16];
	snprintf(want, sizeof(want), "%u", first);
	CHECK_STR((const char *)got, want);
	allowed_now(mine, sizeof(mine));
	CHECK_STR(mine, before);
	/* a CPU the process may not use: refused by the kernel */
	if (sysconf(_SC_NPROCESSORS_CONF) < CPU_LIST_MAX_CPU)
		CHECK_EQ(cpu_pin_self(CPU_LIST_MAX_CPU), -EINVAL);
}

int main(void)
{
	RUN(test_forms);
	RUN(test_refused);
	RUN(test_pin);
	return test_done();
}
