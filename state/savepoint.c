/* Savepoint directories: st_backend_export writes one completed checkpoint as a self-contained
 * file DIR/_metadata, st_backend_import loads such a file into another backend.
 *
 * The file is one JSON object (format "sluice-savepoint-1"), members in this order:
 *
 *   {"format":"sluice-savepoint-1","id":7,"savepoint":true,"metadata":{...the coordinator's...},
 *    "state":[
 *    {"vertex":"src","subtask":0,"key":"next","value_b64":"AAAAAAAAAAc="},
 *    ...
 *    ],"checksum":"crc32c:1a2b3c4d"}\n
 *
 * Values are standard base64 (RFC 4648, padded), since they are arbitrary bytes; keys and vertex
 * ids are JSON strings (the writer accepts only NUL-free UTF-8 keys, so they read back exactly).
 * JSON alone cannot notice a flipped byte inside a base64 string, so the last member is a
 * checksum: the CRC-32C (Castagnoli) of every byte of the file before `,"checksum"`, as 8 lower-
 * case hex digits. The trailer has a fixed length, which lets the reader find it without a
 * second parse. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "runtime/base/buf.h"
#include "runtime/base/json_text.h"
#include "state/backend.h"
#include "state/backend_int.h"
#include "state/keys.h"

#define FORMAT_TAG "sluice-savepoint-1"
#define METADATA_FILE "_metadata"
#define TRAILER_HEAD ",\"checksum\":\"crc32c:"
#define TRAILER_HEAD_LEN (sizeof TRAILER_HEAD - 1)
#define TRAILER_LEN (TRAILER_HEAD_LEN + 8 + 3) /* 8 hex digits, then "}\n */
/* Savepoints hold small operator state; the bound keeps a damaged or foreign file from making
 * the import allocate without limit (the parsed tree costs a few times the file). */
#define SAVEPOINT_MAX_SIZE ((size_t)1 << 30)
#define FLUSH_SIZE ((size_t)64 << 10)

/* --- CRC-32C, reflected polynomial 0x82f63b78, four bits per step --- */

static const uint32_t crc_nibble[16] = {
    0x00000000, 0x105ec76f, 0x20bd8ede, 0x30e349b1, 0x417b1dbc, 0x5125dad3, 0x61c69362, 0x7198540d,
    0x82f63b78, 0x92a8fc17, 0xa24bb5a6, 0xb21572c9, 0xc38d26c4, 0xd3d3e1ab, 0xe330a81a, 0xf36e6f75,
};

/* Start with crc = 0xffffffff; the CRC is the final value xor 0xffffffff. */
static uint32_t crc32c_update(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ crc_nibble[crc & 15];
        crc = (crc >> 4) ^ crc_nibble[crc & 15];
    }
    return crc;
}

/* --- Base64 (RFC 4648 section 4, padded), strict --- */

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Decodes len bytes of s into out (room for len / 4 * 3 bytes). Strict: whole quanta only,
 * padding only at the end, zero padding bits, so that every value has exactly one encoding.
 * Returns the decoded length, or -1. */
static long b64_decode(const char *s, size_t len, unsigned char *out)
{
    if (len % 4)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < len; i += 4) {
        int pad = 0;
        if (i + 4 == len)
            pad = s[i + 3] == '=' ? (s[i + 2] == '=' ? 2 : 1) : 0;
        int v[4];
        for (int k = 0; k < 4 - pad; k++)
            if ((v[k] = b64_value((unsigned char)s[i + k])) < 0)
                return -1;
        for (int k = 4 - pad; k < 4; k++)
            v[k] = 0;
        uint32_t q =
            (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        if ((pad == 1 && (q & 0xff)) || (pad == 2 && (q & 0xffff)))
            return -1;
        out[n++] = (unsigned char)(q >> 16);
        if (pad < 2)
            out[n++] = (unsigned char)(q >> 8);
        if (pad < 1)
            out[n++] = (unsigned char)q;
    }
    return (long)n;
}

/* --- Export --- */

typedef struct out_file {
    int fd;
    uint32_t crc;
    bool first;
    rt_buf buf;
    const char *path;
    const char *what;
} out_file;

/* Writes the buffered bytes, adding them to the checksum when `summed`. */
static int out_flush(out_file *o, bool summed, rt_err *err)
{
    if (summed)
        o->crc = crc32c_update(o->crc, o->buf.data, o->buf.len);
    size_t off = 0;
    while (off < o->buf.len) {
        ssize_t n = write(o->fd, o->buf.data + off, o->buf.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return rt_err_set(err, RT_EIO, "state: %s: write '%s': %s", o->what, o->path,
                              strerror(errno));
        off += (size_t)n;
    }
    rt_buf_reset(&o->buf);
    return 0;
}

static int export_entry(void *ctx, const st_entry *e, rt_err *err)
{
    out_file *o = ctx;
    if (st_key_check_state_key(e->key, e->key_len, NULL) != 0)
        return rt_err_set(err, RT_ECORRUPT,
                          "state: %s: vertex '%.*s' subtask %" PRIu32
                          " holds a key that is not NUL-free UTF-8",
                          o->what, (int)e->vertex_len, e->vertex, e->subtask);
    rt_buf_append_str(&o->buf, o->first ? "\n{\"vertex\":" : ",\n{\"vertex\":");
    o->first = false;
    rt_buf_append_json_str(&o->buf, e->vertex, e->vertex_len);
    rt_buf_appendf(&o->buf, ",\"subtask\":%" PRIu32 ",\"key\":", e->subtask);
    rt_buf_append_json_str(&o->buf, e->key, e->key_len);
    rt_buf_append_str(&o->buf, ",\"value_b64\":\"");
    rt_buf_append_base64(&o->buf, e->val, e->val_len);
    rt_buf_append_str(&o->buf, "\"}");
    return o->buf.len >= FLUSH_SIZE ? out_flush(o, true, err) : 0;
}

static int fsync_dir(const char *dir, const char *what, rt_err *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return rt_err_set(err, RT_EIO, "state: %s: fsync directory '%s': %s", what, dir,
                          strerror(e));
    }
    close(fd);
    return 0;
}

/* Writes the whole file into the open o->fd; the caller syncs and renames. */
static int write_savepoint(out_file *o, st_snapshot *s, uint64_t id, const json_t *meta,
                           rt_err *err)
{
    rt_buf_appendf(&o->buf,
                   "{\"format\":\"" FORMAT_TAG "\",\"id\":%" PRIu64 ",\"savepoint\":%s,"
                   "\"metadata\":",
                   id, st_snapshot_is_savepoint(s) ? "true" : "false");
    rt_json_text_append(&o->buf, meta, 0);
    rt_buf_append_str(&o->buf, ",\n\"state\":[");
    int rc = st_snapshot_scan(s, export_entry, o, err);
    if (rc)
        return rc;
    rt_buf_append_str(&o->buf, "\n]");
    if ((rc = out_flush(o, true, err)) != 0)
        return rc;
    rt_buf_appendf(&o->buf, TRAILER_HEAD "%08" PRIx32 "\"}\n", o->crc ^ 0xffffffffu);
    return out_flush(o, false, err);
}

int st_backend_export(st_backend *b, uint64_t id, const char *path, rt_err *err)
{
    char what[RT_ERR_MSG_SIZE / 2];
    snprintf(what, sizeof what, "export checkpoint %" PRIu64 " to '%s'", id, path);
    if (!*path)
        return rt_err_set(err, RT_EINVAL, "state: %s: empty path", what);
    st_snapshot *s = NULL;
    int rc = st_snapshot_open(b, id, what, &s, err);
    if (rc)
        return rc;
    json_error_t jerr;
    json_t *meta = json_loads(st_snapshot_metadata(s), JSON_DECODE_ANY, &jerr);
    if (!meta) {
        st_snapshot_close(s);
        return rt_err_set(err, RT_ECORRUPT, "state: %s: stored metadata is not JSON: %s", what,
                          jerr.text);
    }

    rt_buf parent, file, tmp;
    rt_buf_init(&parent);
    rt_buf_init(&file);
    rt_buf_init(&tmp);
    rt_buf_append_str(&parent, path);
    /* dirname works in place on its argument; the buffer is ours. */
    const char *parent_dir = dirname(parent.data);
    rt_buf_appendf(&file, "%s/" METADATA_FILE, path);
    rt_buf_appendf(&tmp, "%s/" METADATA_FILE ".tmp", path);
    out_file o = {.fd = -1, .crc = 0xffffffffu, .first = true, .path = tmp.data, .what = what};
    rt_buf_init(&o.buf);
    bool made_dir = false;

    if ((rc = st_mkdir_p(parent_dir, err)) != 0)
        goto done;
    if (mkdir(path, 0755) != 0) {
        rc = errno == EEXIST ? rt_err_set(err, RT_EEXIST, "state: %s: it already exists", what)
                             : rt_err_set(err, RT_EIO, "state: %s: create directory: %s", what,
                                          strerror(errno));
        goto done;
    }
    made_dir = true;
    o.fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (o.fd < 0) {
        rc = rt_err_set(err, RT_EIO, "state: %s: create '%s': %s", what, tmp.data, strerror(errno));
        goto done;
    }
    if ((rc = write_savepoint(&o, s, id, meta, err)) != 0)
        goto done;
    /* temp -> fsync -> rename -> fsync the directory: the file is whole or absent. */
    if (fsync(o.fd) != 0 || close(o.fd) != 0) {
        o.fd = -1;
        rc = rt_err_set(err, RT_EIO, "state: %s: sync '%s': %s", what, tmp.data, strerror(errno));
        goto done;
    }
    o.fd = -1;
    if (rename(tmp.data, file.data) != 0) {
        rc = rt_err_set(err, RT_EIO, "state: %s: rename to '%s': %s", what, file.data,
                        strerror(errno));
        goto done;
    }
    /* The directory's entry for _metadata, then the parent's entry for the directory. */
    if ((rc = fsync_dir(path, what, err)) != 0 || (rc = fsync_dir(parent_dir, what, err)) != 0)
        goto done;

done:
    if (o.fd >= 0)
        close(o.fd);
    if (rc && made_dir) {
        unlink(tmp.data);
        unlink(file.data);
        rmdir(path);
    }
    rt_buf_fini(&o.buf);
    rt_buf_fini(&parent);
    rt_buf_fini(&file);
    rt_buf_fini(&tmp);
    json_decref(meta);
    st_snapshot_close(s);
    return rc;
}

/* --- Import --- */

static int corrupt(rt_err *err, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int corrupt(rt_err *err, const char *file, const char *fmt, ...)
{
    char why[RT_ERR_MSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return rt_err_set(err, RT_ECORRUPT, "state: import '%s': %s", file, why);
}

/* Reads the whole file (at most SAVEPOINT_MAX_SIZE bytes) into a malloc'd buffer. */
static int read_file(const char *file, char **data, size_t *size, rt_err *err)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rt_err_set(err, errno == ENOENT ? RT_ENOTFOUND : RT_EIO, "state: import '%s': %s",
                          file, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return corrupt(err, file, "not a regular file");
    }
    if ((uint64_t)st.st_size > SAVEPOINT_MAX_SIZE) {
        close(fd);
        return rt_err_set(err, RT_EUNSUPPORTED,
                          "state: import '%s': %" PRIu64 " bytes, more than the %zu a savepoint "
                          "may have",
                          file, (uint64_t)st.st_size, SAVEPOINT_MAX_SIZE);
    }
    size_t want = (size_t)st.st_size;
    char *buf = malloc(want + 1);
    if (!buf) {
        close(fd);
        return rt_err_set(err, RT_ENOMEM, "state: import '%s': out of memory", file);
    }
    size_t got = 0;
    while (got < want) {
        ssize_t n = read(fd, buf + got, want - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int rc = n < 0 ? rt_err_set(err, RT_EIO, "state: import '%s': read: %s", file,
                                        strerror(errno))
                           : corrupt(err, file, "shrank while being read");
            free(buf);
            close(fd);
            return rc;
        }
        got += (size_t)n;
    }
    close(fd);
    buf[want] = '\0';
    *data = buf;
    *size = want;
    return 0;
}

/* Checks the fixed-length trailer and the CRC-32C of everything before it. */
static int check_checksum(const char *data, size_t size, const char *file, rt_err *err)
{
    if (size < TRAILER_LEN)
        return corrupt(err, file, "no checksum trailer at its end (damaged?)");
    const char *t = data + size - TRAILER_LEN;
    uint64_t want;
    if (memcmp(t, TRAILER_HEAD, TRAILER_HEAD_LEN) != 0 ||
        !st_key_hex_parse(t + TRAILER_HEAD_LEN, 8, &want) ||
        memcmp(t + TRAILER_HEAD_LEN + 8, "\"}\n", 3) != 0)
        return corrupt(err, file, "no checksum trailer at its end (damaged?)");
    uint32_t got = crc32c_update(0xffffffffu, data, size - TRAILER_LEN) ^ 0xffffffffu;
    if (got != (uint32_t)want)
        return corrupt(err, file,
                       "checksum mismatch (crc32c %08" PRIx32 ", file says %08" PRIx32
                       "): the file is damaged",
                       got, (uint32_t)want);
    return 0;
}

/* A validated savepoint: entries point into the JSON tree and into values. */
typedef struct loaded {
    uint64_t id;
    char *metadata;
    st_entry *entries;
    size_t count;
    unsigned char *values; /* every decoded value, back to back */
} loaded;

static int load_state(json_t *state, const char *file, loaded *out, rt_err *err)
{
    size_t count = json_array_size(state), room = 0;
    /* Bound the decoded bytes by the base64 lengths before allocating anything. */
    for (size_t i = 0; i < count; i++) {
        json_t *v = json_object_get(json_array_get(state, i), "value_b64");
        room += json_is_string(v) ? json_string_length(v) / 4 * 3 : 0;
    }
    out->entries = calloc(count ? count : 1, sizeof *out->entries);
    out->values = malloc(room ? room : 1);
    if (!out->entries || !out->values)
        return rt_err_set(err, RT_ENOMEM, "state: import '%s': out of memory", file);
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        const char *vertex, *key, *b64;
        size_t vertex_len, key_len, b64_len;
        json_int_t subtask;
        json_error_t jerr;
        if (json_unpack_ex(json_array_get(state, i), &jerr, JSON_STRICT, "{s:s%,s:I,s:s%,s:s%}",
                           "vertex", &vertex, &vertex_len, "subtask", &subtask, "key", &key,
                           &key_len, "value_b64", &b64, &b64_len) != 0)
            return corrupt(err, file, "state[%zu]: %s", i, jerr.text);
        if (st_key_check_vertex(vertex, vertex_len, NULL) != 0)
            return corrupt(err, file, "state[%zu].vertex: not a vertex id", i);
        if (subtask < 0 || subtask > UINT32_MAX)
            return corrupt(err, file, "state[%zu].subtask: %lld is out of range", i,
                           (long long)subtask);
        if (st_key_check_state_key(key, key_len, NULL) != 0)
            return corrupt(err, file, "state[%zu].key: not a key (at most %d bytes)", i,
                           ST_STATE_KEY_MAX_LEN);
        long n = b64_decode(b64, b64_len, out->values + used);
        if (n < 0)
            return corrupt(err, file, "state[%zu].value_b64: not base64", i);
        out->entries[i] = (st_entry){
            .vertex = vertex,
            .vertex_len = vertex_len,
            .subtask = (uint32_t)subtask,
            .key = key,
            .key_len = key_len,
            .val = out->values + used,
            .val_len = (size_t)n,
        };
        used += (size_t)n;
    }
    out->count = count;
    return 0;
}

/* Validates the parsed file strictly: the format tag first (the best message for a foreign
 * file), then the checksum, then every member and no others. */
static int load(json_t *root, const char *data, size_t size, const char *file, loaded *out,
                rt_err *err)
{
    json_t *format = json_is_object(root) ? json_object_get(root, "format") : NULL;
    if (!json_is_string(format))
        return corrupt(err, file, "no \"format\": not a Sluice savepoint");
    if (strcmp(json_string_value(format), FORMAT_TAG) != 0)
        return corrupt(err, file, "format '%.64s' is not '" FORMAT_TAG "'",
                       json_string_value(format));
    int rc = check_checksum(data, size, file, err);
    if (rc)
        return rc;
    const char *fmt, *checksum;
    json_int_t id;
    int savepoint;
    json_t *meta, *state;
    json_error_t jerr;
    if (json_unpack_ex(root, &jerr, JSON_STRICT, "{s:s,s:I,s:b,s:o,s:o,s:s}", "format", &fmt, "id",
                       &id, "savepoint", &savepoint, "metadata", &meta, "state", &state, "checksum",
                       &checksum) != 0)
        return corrupt(err, file, "%s", jerr.text);
    if (id < 1)
        return corrupt(err, file, "id %lld is not a checkpoint id", (long long)id);
    if (!json_is_array(state))
        return corrupt(err, file, "\"state\" is not an array");
    out->id = (uint64_t)id;
    out->metadata = rt_json_text_format(meta, 0);
    return load_state(state, file, out, err);
}

int st_backend_import(st_backend *b, const char *path, uint64_t *id, rt_err *err)
{
    rt_buf file;
    rt_buf_init(&file);
    rt_buf_appendf(&file, "%s/" METADATA_FILE, path);
    char *data = NULL;
    size_t size = 0;
    json_t *root = NULL;
    loaded l = {0};
    int rc = read_file(file.data, &data, &size, err);
    if (rc)
        goto done;
    json_error_t jerr;
    root = json_loadb(data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        rc = corrupt(err, file.data,
                     "not a whole JSON document (truncated or damaged?): "
                     "line %d column %d: %s",
                     jerr.line, jerr.column, jerr.text);
        goto done;
    }
    if ((rc = load(root, data, size, file.data, &l, err)) != 0)
        goto done;
    char what[RT_ERR_MSG_SIZE / 2];
    snprintf(what, sizeof what, "import savepoint %" PRIu64 " from '%s'", l.id, path);
    /* Imported state is a savepoint here, whatever it was where it came from: it must outlive
     * the checkpoints this backend completes after it. */
    if ((rc = st_backend_install(b, l.id, l.metadata, true, l.entries, l.count, what, err)) != 0)
        goto done;
    *id = l.id;

done:
    free(l.metadata);
    free(l.entries);
    free(l.values);
    json_decref(root);
    free(data);
    rt_buf_fini(&file);
    return rc;
}
