/*
 * test_types_time.c - engine/types: Date, Date32, DateTime, DateTime64 and
 * time zones: parsing, rendering, raw values.
 */
#include "t_types.h"

static void test_dates(void)
{
	char buf[20];
	int32_t days;
	int64_t secs;
	int y;
	unsigned m, d;

	T_EQ_INT(rs_days_from_civil(1970, 1, 1), 0);
	T_EQ_INT(rs_days_from_civil(2024, 1, 1), 19723);
	T_EQ_INT(rs_days_from_civil(2149, 6, 6), 65535);
	T_EQ_INT(rs_days_from_civil(1900, 1, 1), -25567);
	rs_civil_from_days(19723 + 59, &y, &m, &d);
	T_EQ_INT(y, 2024);
	T_EQ_INT(m, 2);
	T_EQ_INT(d, 29);
	rs_civil_from_days(-1, &y, &m, &d);
	T_EQ_INT(y * 10000 + m * 100 + d, 19691231);
	rs_fmt_date(0, buf);
	T_EQ_STR(buf, "1970-01-01");
	rs_fmt_datetime(-1, buf);
	T_EQ_STR(buf, "1969-12-31 23:59:59");
	rs_fmt_datetime(1704067200 + 3723, buf);
	T_EQ_STR(buf, "2024-01-01 01:02:03");
	T_EQ_INT(rs_parse_date("2024-02-29", 10, &days), 0);
	T_EQ_INT(days, 19782);
	T_EQ_INT(rs_parse_date("2023-02-29", 10, &days), -EINVAL);
	T_EQ_INT(rs_parse_date("2024-13-01", 10, &days), -EINVAL);
	T_EQ_INT(rs_parse_date("2024-01-01x", 11, &days), -EINVAL);
	T_EQ_INT(rs_parse_datetime("2024-01-01T00:00:01Z", 20, &secs), 0);
	T_EQ_INT(secs, 1704067201);

	T_EQ_STR(rt("Date", "1970-01-01"), "1970-01-01");
	T_EQ_STR(rt("Date", "2149-06-06"), "2149-06-06");
	T_EQ_STR(rt("Date", "2149-06-07"), "ERR");
	T_EQ_STR(rt("Date", "1969-12-31"), "ERR");
	T_EQ_STR(rt("Date", "2024-02-30"), "ERR");
	T_EQ_STR(rt("Date", "2024-02-29"), "2024-02-29");
	T_EQ_STR(rt("Date", "2024-1-5"), "2024-01-05");
	T_EQ_STR(rt("Date", "2024/01/05"), "2024-01-05");
	T_EQ_STR(rt("Date", "2024-01-05 10:00:00"), "ERR");
	T_EQ_STR(rt("Date", ""), "ERR");
	T_EQ_STR(rt("Date", "hello"), "ERR");
	T_EQ_STR(rt("Date32", "1900-01-01"), "1900-01-01");
	T_EQ_STR(rt("Date32", "2299-12-31"), "2299-12-31");
	T_EQ_STR(rt("Date32", "1899-12-31"), "ERR");
	T_EQ_STR(rt("Date32", "1950-06-15"), "1950-06-15");
	T_EQ_STR(rts("Date", "2024-01-01", RS_RENDER_CSV), "\"2024-01-01\"");
	T_EQ_STR(rts("Date", "2024-01-01", RS_RENDER_JSON), "\"2024-01-01\"");
	T_EQ_STR(rts("Date", "2024-01-01", RS_RENDER_TSV), "2024-01-01");
}

static void test_datetime(void)
{
	T_EQ_STR(rt("DateTime", "2024-01-01 00:00:00"), "2024-01-01 00:00:00");
	T_EQ_STR(rt("DateTime", "2024-01-01T12:34:56"), "2024-01-01 12:34:56");
	T_EQ_STR(rt("DateTime", "2024-01-01T12:34:56Z"), "2024-01-01 12:34:56");
	T_EQ_STR(rt("DateTime", "2024-01-01T12:34:56+02:00"), "2024-01-01 10:34:56");
	T_EQ_STR(rt("DateTime", "2024-01-01T12:34:56-0130"), "2024-01-01 14:04:56");
	T_EQ_STR(rt("DateTime", "2024-01-01 12:34:56.789"), "2024-01-01 12:34:56");
	T_EQ_STR(rt("DateTime", "2024-01-01 10:00"), "2024-01-01 10:00:00");
	T_EQ_STR(rt("DateTime", "2024-01-01"), "2024-01-01 00:00:00");
	T_EQ_STR(rt("DateTime", "1704067200"), "2024-01-01 00:00:00");
	T_EQ_STR(rt("DateTime", "0"), "1970-01-01 00:00:00");
	T_EQ_STR(rt("DateTime", "4294967295"), "2106-02-07 06:28:15");
	T_EQ_STR(rt("DateTime", "2106-02-07 06:28:15"), "2106-02-07 06:28:15");
	T_EQ_STR(rt("DateTime", "4294967296"), "ERR");
	T_EQ_STR(rt("DateTime", "2106-02-07 06:28:16"), "ERR");
	T_EQ_STR(rt("DateTime", "1969-12-31 23:59:59"), "ERR");
	T_EQ_STR(rt("DateTime", "2024-01-01 24:00:00"), "ERR");
	T_EQ_STR(rt("DateTime", "2024-01-01 12:60:00"), "ERR");
	T_EQ_STR(rt("DateTime", "2024-01-01 12:00:00 junk"), "ERR");
	T_EQ_STR(rt("DateTime", "2024-01-01X12:00:00"), "ERR");
	T_EQ_STR(rt("DateTime", ""), "ERR");
	T_EQ_STR(rts("DateTime", "2024-01-01 01:02:03", RS_RENDER_CSV), "\"2024-01-01 01:02:03\"");
	T_EQ_STR(rts("DateTime", "2024-01-01 01:02:03", RS_RENDER_JSON), "\"2024-01-01 01:02:03\"");

	T_EQ_STR(rt("DateTime64(3)", "2024-01-01 00:00:00.123"), "2024-01-01 00:00:00.123");
	T_EQ_STR(rt("DateTime64(3)", "2024-01-01 00:00:00.1"), "2024-01-01 00:00:00.100");
	T_EQ_STR(rt("DateTime64(3)", "2024-01-01 00:00:00.123999"), "2024-01-01 00:00:00.123");
	T_EQ_STR(rt("DateTime64(3)", "2024-01-01 00:00:00"), "2024-01-01 00:00:00.000");
	T_EQ_STR(rt("DateTime64(3)", "2024-01-01T00:00:00.5Z"), "2024-01-01 00:00:00.500");
	T_EQ_STR(rt("DateTime64(3)", "1704067200.5"), "2024-01-01 00:00:00.500");
	T_EQ_STR(rt("DateTime64(3)", "1704067200"), "2024-01-01 00:00:00.000");
	T_EQ_STR(rt("DateTime64(3)", "1969-12-31 23:59:59.999"), "1969-12-31 23:59:59.999");
	T_EQ_STR(rt("DateTime64(3)", "1900-01-01 00:00:00"), "1900-01-01 00:00:00.000");
	T_EQ_STR(rt("DateTime64(3)", "1899-12-31 23:59:59"), "ERR");
	T_EQ_STR(rt("DateTime64(3)", "2024-01-01 00:00:00."), "ERR");
	T_EQ_STR(rt("DateTime64(0)", "2024-01-01 00:00:07.9"), "2024-01-01 00:00:07");
	T_EQ_STR(rt("DateTime64(6, 'UTC')", "2024-01-01 00:00:00.000001"),
		 "2024-01-01 00:00:00.000001");
	T_EQ_STR(rt("DateTime64(9)", "2262-04-11 23:47:16.854775807"),
		 "2262-04-11 23:47:16.854775807");
	T_EQ_STR(rt("DateTime64(9)", "2262-04-11 23:47:17"), "ERR");
	T_EQ_STR(rts("DateTime64(3)", "2024-01-01 00:00:00.123", RS_RENDER_JSON),
		 "\"2024-01-01 00:00:00.123\"");
}

/* stored UTC seconds of one DateTime value */
static int64_t dt_raw(const char *type, const char *text)
{
	struct rs_type *t;
	struct rs_col c;
	int64_t v = -1;

	rs_type_parse(type, &t, NULL);
	rs_col_init(&c, t);
	if (!rs_value_parse(&c, text, strlen(text))) {
		if (c.width == 4) {
			uint32_t u;
			memcpy(&u, rs_col_fixed(&c, 0), 4);
			v = u;
		} else {
			memcpy(&v, rs_col_fixed(&c, 0), 8);
		}
	}
	rs_col_release(&c);
	rs_type_free(t);
	return v;
}

static void test_timezones(void)
{
	int64_t d2024_07 = (int64_t)rs_days_from_civil(2024, 7, 1) * 86400;
	int64_t d2100_07 = (int64_t)rs_days_from_civil(2100, 7, 1) * 86400;
	int64_t d2100_01 = (int64_t)rs_days_from_civil(2100, 1, 15) * 86400;

	/* Madrid: CEST (+2) in July, CET (+1) in January */
	T_EQ_INT(dt_raw("DateTime('Europe/Madrid')", "2024-07-01 12:00:00"), d2024_07 + 10 * 3600);
	T_EQ_INT(dt_raw("DateTime('Europe/Madrid')", "2024-01-01 12:00:00"), 1704067200 + 11 * 3600);
	T_EQ_STR(rt("DateTime('Europe/Madrid')", "2024-07-01 12:00:00"), "2024-07-01 12:00:00");
	T_EQ_STR(rt("DateTime('Europe/Madrid')", "2024-07-01T12:00:00Z"), "2024-07-01 14:00:00");
	T_EQ_STR(rt("DateTime('Europe/Madrid')", "1704067200"), "2024-01-01 01:00:00");
	/* beyond the last explicit transition: the POSIX rule of the file */
	T_EQ_INT(dt_raw("DateTime('Europe/Madrid')", "2100-07-01 12:00:00"), d2100_07 + 10 * 3600);
	T_EQ_INT(dt_raw("DateTime('Europe/Madrid')", "2100-01-15 12:00:00"), d2100_01 + 11 * 3600);
	T_EQ_STR(rt("DateTime('Europe/Madrid')", "2100-07-01 12:00:00"), "2100-07-01 12:00:00");
	/* New York: DST starts 2024-03-10 02:00 local */
	T_EQ_STR(rt("DateTime('America/New_York')", "2024-03-10T06:59:59Z"), "2024-03-10 01:59:59");
	T_EQ_STR(rt("DateTime('America/New_York')", "2024-03-10T07:00:00Z"), "2024-03-10 03:00:00");
	T_EQ_STR(rt("DateTime('Asia/Tokyo')", "0"), "1970-01-01 09:00:00");
	T_EQ_STR(rt("DateTime64(3, 'Asia/Kolkata')", "2024-01-01 05:30:00.250"),
		 "2024-01-01 05:30:00.250");
	T_EQ_INT(dt_raw("DateTime64(3, 'Asia/Kolkata')", "2024-01-01 05:30:00.250"),
		 1704067200LL * 1000 + 250);
	T_EQ_INT(dt_raw("DateTime('UTC')", "2024-01-01 00:00:00"), 1704067200);
	T_EQ_INT(dt_raw("DateTime('Etc/UTC')", "2024-01-01 00:00:00"), 1704067200);
}

int main(void)
{
	T_RUN(test_dates);
	T_RUN(test_datetime);
	T_RUN(test_timezones);
	rs_tz_release_all();
	return T_DONE();
}
