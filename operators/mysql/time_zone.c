/* server_time_zone: fixed offsets, and tz database zones from TZif files (RFC 8536 sections 3.1
 * header, 3.2 data block, 3.3 footer) with the footer's POSIX TZ rule (POSIX.1-2017 section 8.3,
 * TZ) for instants past the last transition, as the slim files of newer tzdata need. */
#include "operators/mysql/time_zone.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A TZif file larger than this is not one (the largest zones are a few KiB). */
#define TZIF_MAX_SIZE (1u << 20)

/* A rule of the POSIX TZ string: when DST starts or ends, in local time of the year. */
typedef struct tz_rule {
    char form; /* 'M' Mm.w.d, 'J' Jn (1..365, no Feb 29), 'n' n (0..365) */
    int month, week, wday, day;
    int32_t secs; /* local time of day of the change, -167h..167h (RFC 8536 3.3.1) */
} tz_rule;

struct op_mysql_time_zone {
    char *name;
    size_t ntrans;
    int64_t *trans;     /* ascending UTC instants */
    int32_t *trans_off; /* offset from each transition on */
    int32_t first_off;  /* before the first transition (time type 0), or the fixed offset */
    bool has_rule; /* the footer applies past the last transition (or always, no transitions) */
    bool rule_dst; /* the footer's zone has DST */
    int32_t std_off, dst_off;
    tz_rule start, end;
};

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* H. Hinnant's days_from_civil, as mysql_value.c's inverse. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, int m)
{
    static const unsigned n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : n[m - 1];
}

/* The civil year of a day number. */
static int64_t year_of_days(int64_t days)
{
    int64_t y = 1970 + floor_div(days * 400, 146097);
    while (days_from_civil(y + 1, 1, 1) <= days)
        y++;
    while (days_from_civil(y, 1, 1) > days)
        y--;
    return y;
}

/* Local seconds since the epoch (as if the local clock were UTC) at which rule r fires in
 * year y. */
static int64_t rule_local(const tz_rule *r, int64_t y)
{
    int64_t day;
    if (r->form == 'M') {
        int64_t first = days_from_civil(y, (unsigned)r->month, 1);
        int dow = (int)((first % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
        int64_t d = 1 + (r->wday - dow + 7) % 7 + 7 * (r->week - 1);
        while (d > month_days(y, r->month))
            d -= 7;
        day = first + d - 1;
    } else if (r->form == 'J') {
        /* Jn counts 1..365 and never Feb 29: from March on, a leap year is one day further. */
        day = days_from_civil(y, 1, 1) + r->day - 1 + (is_leap(y) && r->day >= 60);
    } else {
        day = days_from_civil(y, 1, 1) + r->day;
    }
    return day * 86400 + r->secs;
}

static int32_t rule_offset(const op_mysql_time_zone *z, int64_t t)
{
    if (!z->rule_dst)
        return z->std_off;
    int64_t y = year_of_days(floor_div(t + z->std_off, 86400));
    /* The start is given in standard time, the end in daylight time. */
    int64_t start = rule_local(&z->start, y) - z->std_off;
    int64_t end = rule_local(&z->end, y) - z->dst_off;
    bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? z->dst_off : z->std_off;
}

int32_t op_mysql_time_zone_offset(const op_mysql_time_zone *z, int64_t unix_seconds)
{
    if (!z)
        return 0;
    if (z->ntrans == 0)
        return z->has_rule ? rule_offset(z, unix_seconds) : z->first_off;
    if (unix_seconds < z->trans[0])
        return z->first_off;
    if (unix_seconds >= z->trans[z->ntrans - 1] && z->has_rule)
        return rule_offset(z, unix_seconds);
    size_t lo = 0, hi = z->ntrans; /* the last transition at or before the instant */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->trans[mid] <= unix_seconds)
            lo = mid;
        else
            hi = mid;
    }
    return z->trans_off[lo];
}

const char *op_mysql_time_zone_name(const op_mysql_time_zone *z)
{
    return z ? z->name : "UTC";
}

void op_mysql_time_zone_free(op_mysql_time_zone *z)
{
    if (!z)
        return;
    free(z->name);
    free(z->trans);
    free(z->trans_off);
    free(z);
}

static op_mysql_time_zone *zone_new(const char *name, size_t ntrans)
{
    op_mysql_time_zone *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    z->name = strdup(name);
    z->ntrans = ntrans;
    if (ntrans) {
        z->trans = malloc(ntrans * sizeof *z->trans);
        z->trans_off = malloc(ntrans * sizeof *z->trans_off);
    }
    if (!z->name || (ntrans && (!z->trans || !z->trans_off))) {
        op_mysql_time_zone_free(z);
        return NULL;
    }
    return z;
}

op_mysql_time_zone *op_mysql_time_zone_dup(const op_mysql_time_zone *z)
{
    if (!z)
        return NULL;
    op_mysql_time_zone *d = zone_new(z->name, z->ntrans);
    if (!d)
        return NULL;
    char *name = d->name;
    int64_t *trans = d->trans;
    int32_t *offs = d->trans_off;
    *d = *z;
    d->name = name;
    d->trans = trans;
    d->trans_off = offs;
    if (z->ntrans) {
        memcpy(d->trans, z->trans, z->ntrans * sizeof *z->trans);
        memcpy(d->trans_off, z->trans_off, z->ntrans * sizeof *z->trans_off);
    }
    return d;
}

/* --- the POSIX TZ string of the footer --- */

/* A zone abbreviation: letters, or <...> quoted (RFC 8536 3.3: "<+08>-8"). */
static bool tz_abbr(const char **s)
{
    const char *p = *s;
    if (*p == '<') {
        const char *e = strchr(p, '>');
        if (!e || e - p < 4)
            return false;
        *s = e + 1;
        return true;
    }
    const char *b = p;
    while (isalpha((unsigned char)*p))
        p++;
    if (p - b < 3)
        return false;
    *s = p;
    return true;
}

/* [+-]hh[:mm[:ss]], hours up to max_h. */
static bool tz_hms(const char **s, int max_h, int32_t *out)
{
    const char *p = *s;
    int sign = 1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    int part[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        if (i && *p != ':')
            break;
        if (i)
            p++;
        if (!isdigit((unsigned char)*p))
            return false;
        int v = 0, n = 0;
        while (isdigit((unsigned char)*p) && n < 3) {
            v = v * 10 + (*p++ - '0');
            n++;
        }
        part[i] = v;
    }
    if (part[0] > max_h || part[1] > 59 || part[2] > 59)
        return false;
    *out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
    *s = p;
    return true;
}

static bool tz_num(const char **s, int lo, int hi, int *out)
{
    const char *p = *s;
    int v = 0, n = 0;
    while (isdigit((unsigned char)*p) && n < 4) {
        v = v * 10 + (*p++ - '0');
        n++;
    }
    if (n == 0 || v < lo || v > hi)
        return false;
    *out = v;
    *s = p;
    return true;
}

/* ",date[/time]": Mm.w.d, Jn or n; the time defaults to 02:00:00. */
static bool tz_date_rule(const char **s, tz_rule *r)
{
    const char *p = *s;
    if (*p++ != ',')
        return false;
    memset(r, 0, sizeof *r);
    if (*p == 'M') {
        p++;
        r->form = 'M';
        if (!tz_num(&p, 1, 12, &r->month) || *p++ != '.' || !tz_num(&p, 1, 5, &r->week) ||
            *p++ != '.' || !tz_num(&p, 0, 6, &r->wday))
            return false;
    } else if (*p == 'J') {
        p++;
        r->form = 'J';
        if (!tz_num(&p, 1, 365, &r->day))
            return false;
    } else {
        r->form = 'n';
        if (!tz_num(&p, 0, 365, &r->day))
            return false;
    }
    r->secs = 7200;
    if (*p == '/') {
        p++;
        if (!tz_hms(&p, 167, &r->secs))
            return false;
    }
    *s = p;
    return true;
}

/* "EST5EDT,M3.2.0,M11.1.0", "<+08>-8", "CST-8". POSIX offsets count west of UTC. */
static bool tz_string(op_mysql_time_zone *z, const char *s)
{
    int32_t off;
    if (!tz_abbr(&s) || !tz_hms(&s, 24, &off))
        return false;
    z->std_off = -off;
    z->dst_off = z->std_off;
    z->rule_dst = false;
    if (*s == '\0')
        return true;
    if (!tz_abbr(&s))
        return false;
    z->dst_off = z->std_off + 3600;
    if (*s && *s != ',') {
        if (!tz_hms(&s, 24, &off))
            return false;
        z->dst_off = -off;
    }
    if (*s == '\0') /* DST without rules: POSIX leaves the dates to the implementation */
        return false;
    if (!tz_date_rule(&s, &z->start) || !tz_date_rule(&s, &z->end) || *s)
        return false;
    z->rule_dst = true;
    return true;
}

/* --- TZif --- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64s(const uint8_t *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct tzif_header {
    char version; /* 0, '2', '3', '4' */
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tzif_header;

static bool read_header(const uint8_t *p, size_t len, tzif_header *h)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return false;
    h->version = (char)p[4];
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    return true;
}

/* Bytes of the data block after a header, with `tsize`-byte times (uint64: no overflow). */
static uint64_t block_size(const tzif_header *h, unsigned tsize)
{
    return (uint64_t)h->timecnt * tsize + h->timecnt + (uint64_t)h->typecnt * 6 + h->charcnt +
           (uint64_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

static int corrupt(const char *name, const char *what, rt_err *err)
{
    return rt_err_set(err, RT_ECORRUPT, "time zone '%s': not a valid TZif file: %s", name, what);
}

int op_mysql_time_zone_parse_tzif(const char *name, const uint8_t *p, size_t len,
                                  op_mysql_time_zone **out, rt_err *err)
{
    tzif_header h;
    if (!read_header(p, len, &h))
        return corrupt(name, "no TZif header", err);
    unsigned tsize = 4;
    const uint8_t *body = p + 44;
    size_t left = len - 44;
    if (h.version >= '2') {
        /* RFC 8536 3.2: a version 2+ reader skips the 32-bit block for the 64-bit one. */
        uint64_t skip = block_size(&h, 4);
        if (skip > left || !read_header(body + skip, left - (size_t)skip, &h))
            return corrupt(name, "truncated version 1 block", err);
        body += skip + 44;
        left -= (size_t)skip + 44;
        tsize = 8;
    }
    if (h.typecnt == 0 || h.typecnt > 256 || (h.isutcnt && h.isutcnt != h.typecnt) ||
        (h.isstdcnt && h.isstdcnt != h.typecnt))
        return corrupt(name, "bad counts", err);
    if (block_size(&h, tsize) > left)
        return corrupt(name, "truncated data block", err);
    if (h.leapcnt)
        return rt_err_set(err, RT_EUNSUPPORTED,
                          "time zone '%s': a zone with leap seconds (right/...) is not supported",
                          name);
    const uint8_t *times = body, *idx = times + (size_t)h.timecnt * tsize;
    const uint8_t *types = idx + h.timecnt;
    op_mysql_time_zone *z = zone_new(name, h.timecnt);
    if (!z)
        return rt_err_set(err, RT_ENOMEM, "time zone '%s': out of memory", name);
    int rc = 0;
    for (uint32_t i = 0; i < h.timecnt && rc == 0; i++) {
        z->trans[i] = tsize == 8 ? be64s(times + 8 * (size_t)i)
                                 : (int64_t)(int32_t)be32(times + 4 * (size_t)i);
        if (idx[i] >= h.typecnt || (i && z->trans[i] <= z->trans[i - 1]))
            rc = corrupt(name, "bad transition", err);
        else
            z->trans_off[i] = (int32_t)be32(types + 6 * (size_t)idx[i]);
    }
    z->first_off = (int32_t)be32(types);
    for (uint32_t i = 0; i < h.typecnt && rc == 0; i++) {
        int32_t off = (int32_t)be32(types + 6 * (size_t)i);
        if (off < -25 * 3600 || off > 26 * 3600)
            rc = corrupt(name, "offset out of range", err);
    }
    if (rc == 0 && tsize == 8) {
        /* The footer: "\n" TZ string "\n" (RFC 8536 3.3); an empty string means no rule. */
        const uint8_t *f = body + block_size(&h, 8);
        size_t fl = left - (size_t)block_size(&h, 8);
        const uint8_t *nl = fl > 1 && f[0] == '\n' ? memchr(f + 1, '\n', fl - 1) : NULL;
        if (!nl) {
            rc = corrupt(name, "no footer", err);
        } else if (nl - f > 1) {
            char rule[128];
            size_t n = (size_t)(nl - f - 1);
            if (n >= sizeof rule)
                rc = corrupt(name, "footer too long", err);
            else {
                memcpy(rule, f + 1, n);
                rule[n] = '\0';
                if (!tz_string(z, rule))
                    rc =
                        rt_err_set(err, RT_EUNSUPPORTED,
                                   "time zone '%s': footer rule \"%s\" not understood", name, rule);
                z->has_rule = rc == 0;
            }
        }
    }
    if (rc) {
        op_mysql_time_zone_free(z);
        return rc;
    }
    *out = z;
    return 0;
}

/* "+hh:mm" / "-hh:mm", at most 14 hours either way (MySQL's range is -13:59..+14:00). */
static bool parse_offset(const char *s, int32_t *out)
{
    if ((s[0] != '+' && s[0] != '-') || strlen(s) != 6 || s[3] != ':')
        return false;
    for (int i = 1; i < 6; i++)
        if (i != 3 && !isdigit((unsigned char)s[i]))
            return false;
    int h = (s[1] - '0') * 10 + (s[2] - '0'), m = (s[4] - '0') * 10 + (s[5] - '0');
    if (m > 59 || h * 60 + m > 14 * 60)
        return false;
    *out = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return true;
}

/* A tz database name: a relative path of [A-Za-z0-9_+-] components, no "." or "..". */
static bool zone_name_ok(const char *s)
{
    if (!*s || *s == '/' || strlen(s) > 255)
        return false;
    for (const char *c = s; *c; c++) {
        if (!isalnum((unsigned char)*c) && !strchr("/_+-.", *c))
            return false;
        if (*c == '.' && (c == s || c[-1] == '/'))
            return false; /* no component starts with a dot: "..", ".hidden" */
    }
    return true;
}

int op_mysql_time_zone_open(const char *spec, const char *dir, op_mysql_time_zone **out,
                            rt_err *err)
{
    if (!spec || !*spec || strcasecmp(spec, "UTC") == 0 || strcmp(spec, "Z") == 0) {
        op_mysql_time_zone *z = zone_new("UTC", 0);
        if (!z)
            return rt_err_set(err, RT_ENOMEM, "server_time_zone: out of memory");
        *out = z;
        return 0;
    }
    int32_t off;
    if (spec[0] == '+' || spec[0] == '-') {
        if (!parse_offset(spec, &off))
            return rt_err_set(err, RT_EINVAL,
                              "server_time_zone '%s': an offset is +hh:mm or -hh:mm, at most "
                              "14:00",
                              spec);
        op_mysql_time_zone *z = zone_new(spec, 0);
        if (!z)
            return rt_err_set(err, RT_ENOMEM, "server_time_zone: out of memory");
        z->first_off = off;
        *out = z;
        return 0;
    }
    if (!dir)
        dir = getenv("TZDIR");
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    if (!zone_name_ok(spec))
        return rt_err_set(err, RT_EINVAL,
                          "server_time_zone '%.64s': not UTC, an offset like \"+08:00\" or a "
                          "zone name like \"Asia/Shanghai\"",
                          spec);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, spec);
    FILE *f = fopen(path, "rb");
    if (!f)
        return rt_err_set(err, RT_EINVAL, "server_time_zone '%s': unknown zone (%s: %s)", spec,
                          path, strerror(errno));
    uint8_t *buf = malloc(TZIF_MAX_SIZE);
    size_t n = buf ? fread(buf, 1, TZIF_MAX_SIZE, f) : 0;
    bool io_error = ferror(f) != 0;
    fclose(f);
    int rc;
    if (!buf)
        rc = rt_err_set(err, RT_ENOMEM, "server_time_zone: out of memory");
    else if (io_error)
        rc = rt_err_set(err, RT_EINVAL, "server_time_zone '%s': cannot read %s (a directory?)",
                        spec, path);
    else
        rc = op_mysql_time_zone_parse_tzif(spec, buf, n, out, err);
    free(buf);
    if (rc && rc != RT_ENOMEM && !io_error)
        rt_err_prefix(err, RT_EINVAL, "server_time_zone '%s' (%s)", spec, path);
    return rc ? (rc == RT_ENOMEM ? rc : RT_EINVAL) : 0;
}
