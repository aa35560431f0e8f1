/* dumpcheck._rowhash: the per-row part of dumpcheck.fingerprint in C.
 *
 * A table's fingerprint is the sum modulo 2**64 of the xxh3-64 hash of each COPY text line
 * (dumpcheck/fingerprint.py says why). Python pays about 100 ns a row for the split and the
 * call; here a row costs a memchr and the hash. The hash is xxHash's own XXH3_64bits
 * (libxxhash, inlined from its header), the very function the xxhash package calls, so both
 * paths give the same sums. The GIL is released while hashing: the restored tables are read
 * back in threads (restore/fingerprints.py), which then hash in parallel.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define XXH_INLINE_ALL
#include <xxhash.h>

/* hash_lines(buffer, start, end) -> (rows, sum, tail)
 *
 * Hashes every line of buffer[start:end] that ends in a newline (the newline not hashed).
 * rows: how many; sum: their hashes added modulo 2**64; tail: the offset just past the last
 * newline (buffer[tail:end] is a row that goes on in the next piece). */
static PyObject *
hash_lines(PyObject *self, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t start, end;
    if (!PyArg_ParseTuple(args, "y*nn", &view, &start, &end))
        return NULL;
    if (start < 0 || end > view.len || start > end) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "hash_lines: start and end out of the buffer");
        return NULL;
    }
    const char *base = (const char *)view.buf;
    const char *p = base + start;
    const char *stop = base + end;
    unsigned long long rows = 0;
    XXH64_hash_t sum = 0;

    Py_BEGIN_ALLOW_THREADS
    for (;;) {
        const char *nl = memchr(p, '\n', (size_t)(stop - p));
        if (nl == NULL)
            break;
        sum += XXH3_64bits(p, (size_t)(nl - p));
        rows++;
        p = nl + 1;
    }
    Py_END_ALLOW_THREADS

    Py_ssize_t tail = (Py_ssize_t)(p - base);
    PyBuffer_Release(&view);
    return Py_BuildValue("KKn", rows, (unsigned long long)sum, tail);
}

/* newline(buffer, start, end) -> the offset of the first newline in buffer[start:end], or -1
 * (for any buffer, a memoryview too, which has no find()). */
static PyObject *
newline(PyObject *self, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t start, end;
    if (!PyArg_ParseTuple(args, "y*nn", &view, &start, &end))
        return NULL;
    if (start < 0 || end > view.len || start > end) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "newline: start and end out of the buffer");
        return NULL;
    }
    const char *base = (const char *)view.buf;
    const char *nl = memchr(base + start, '\n', (size_t)(end - start));
    Py_ssize_t at = nl == NULL ? -1 : (Py_ssize_t)(nl - base);
    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(at);
}

/* The bytes equal to '\n' in [p, p + n): SSE2 compares 16 bytes at a time where the machine
 * has it (every x86-64), eight at a time in a 64-bit word elsewhere. COPY text escapes newlines
 * inside values (copyto.c CopyAttributeOutText), so this is the row count of a block. */
static Py_ssize_t
count_nl(const unsigned char *p, Py_ssize_t n)
{
    Py_ssize_t total = 0, i = 0;
#ifdef __SSE2__
    const __m128i nl = _mm_set1_epi8('\n');
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        total += __builtin_popcount((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)));
    }
#else
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        uint64_t x = w ^ (ones * '\n'); /* a zero byte where a newline was */
        uint64_t zero = ~(((x & ~highs) + ~highs) | x) & highs;
        total += __builtin_popcountll(zero);
    }
#endif
    for (; i < n; i++)
        total += p[i] == '\n';
    return total;
}

static int
span_args(PyObject *args, const char *name, Py_buffer *view, Py_ssize_t *start, Py_ssize_t *end)
{
    if (!PyArg_ParseTuple(args, "y*nn", view, start, end))
        return -1;
    if (*start < 0 || *end > view->len || *start > *end) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_ValueError, "%s: start and end out of the buffer", name);
        return -1;
    }
    return 0;
}

static PyObject *
count_newlines(PyObject *self, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t start, end, total;
    if (span_args(args, "count_newlines", &view, &start, &end) < 0)
        return NULL;
    const unsigned char *base = (const unsigned char *)view.buf;
    Py_BEGIN_ALLOW_THREADS
    total = count_nl(base + start, end - start);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(total);
}

/* The offset of the first "\n\\." in [start, end), or -1: the line COPY's end marker starts
 * (it can start a line only as the marker, since COPY text escapes a backslash in a value). */
static Py_ssize_t
find_marker(const unsigned char *base, Py_ssize_t start, Py_ssize_t end)
{
    Py_ssize_t i = start;
#ifdef __SSE2__
    const __m128i nl = _mm_set1_epi8('\n'), bs = _mm_set1_epi8('\\'), dot = _mm_set1_epi8('.');
    for (; i + 18 <= end; i += 16) {
        __m128i a = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(base + i)), nl);
        __m128i b = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(base + i + 1)), bs);
        __m128i c = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(base + i + 2)), dot);
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(a, _mm_and_si128(b, c)));
        if (mask)
            return i + __builtin_ctz(mask);
    }
#endif
    for (; i + 3 <= end; i++) {
        const unsigned char *hit = memchr(base + i, '\n', (size_t)(end - 2 - i));
        if (hit == NULL)
            return -1;
        i = (Py_ssize_t)(hit - base);
        if (hit[1] == '\\' && hit[2] == '.')
            return i;
    }
    return -1;
}

static PyObject *
end_marker(PyObject *self, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t start, end, at;
    if (span_args(args, "end_marker", &view, &start, &end) < 0)
        return NULL;
    const unsigned char *base = (const unsigned char *)view.buf;
    Py_BEGIN_ALLOW_THREADS
    at = find_marker(base, start, end);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(at);
}

/* A growable byte buffer for one row's COPY text. */
typedef struct {
    char *data;
    size_t len, cap;
} Row;

static int
row_put(Row *row, const char *bytes, size_t n)
{
    if (row->len + n > row->cap) {
        size_t cap = row->cap ? row->cap : 256;
        while (cap < row->len + n)
            cap *= 2;
        char *grown = PyMem_RawRealloc(row->data, cap);
        if (grown == NULL)
            return -1;
        row->data = grown;
        row->cap = cap;
    }
    memcpy(row->data + row->len, bytes, n);
    row->len += n;
    return 0;
}

static int
is_space(char c)
{
    /* Python's \s in a bytes pattern. */
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

enum { OK = 0, NOT_SIMPLE = 1, NO_MEMORY = 2 };

/* One field of a row: a standard string ('it''s') or a bare token (NULL, true, 1.5, DEFAULT),
 * appended to row as COPY text (copyto.c CopyAttributeOutText escapes). *pos moves past it. */
static int
put_field(Row *row, const char *p, Py_ssize_t *pos, Py_ssize_t end, int *first)
{
    Py_ssize_t i = *pos;
    if (p[i] == '\'') {
        if (!*first && row_put(row, "\t", 1) < 0)
            return NO_MEMORY;
        *first = 0;
        for (i++;; i++) {
            /* The plain run up to the next quote or character COPY escapes, copied at once. */
            Py_ssize_t run = i;
            while (run < end && p[run] != '\'' && p[run] != '\\' && (p[run] > '\r' || p[run] < '\b'))
                run++;
            if (run > i && row_put(row, p + i, (size_t)(run - i)) < 0)
                return NO_MEMORY;
            i = run;
            if (i >= end)
                return NOT_SIMPLE; /* no closing quote inside the row */
            char c = p[i];
            const char *esc = NULL;
            if (c == '\'') {
                if (i + 1 < end && p[i + 1] == '\'') {
                    i++; /* '' is one quote */
                } else {
                    break;
                }
            }
            switch (c) {
            case '\\': esc = "\\\\"; break;
            case '\b': esc = "\\b"; break;
            case '\t': esc = "\\t"; break;
            case '\n': esc = "\\n"; break;
            case '\v': esc = "\\v"; break;
            case '\f': esc = "\\f"; break;
            case '\r': esc = "\\r"; break;
            }
            if ((esc ? row_put(row, esc, 2) : row_put(row, &c, 1)) < 0)
                return NO_MEMORY;
        }
        *pos = i + 1;
        return OK;
    }
    Py_ssize_t start = i;
    while (i < end && p[i] != ',' && p[i] != '\'' && p[i] != ')' && !is_space(p[i]))
        i++;
    if (i == start)
        return NOT_SIMPLE;
    size_t n = (size_t)(i - start);
    *pos = i;
    const char *text = p + start;
    if (n == 7 && memcmp(text, "DEFAULT", 7) == 0)
        return OK; /* a generated column: COPY leaves it out */
    if (n == 4 && memcmp(text, "NULL", 4) == 0) {
        text = "\\N";
        n = 2;
    } else if (n == 4 && memcmp(text, "true", 4) == 0) {
        text = "t";
        n = 1;
    } else if (n == 5 && memcmp(text, "false", 5) == 0) {
        text = "f";
        n = 1;
    }
    if (!*first && row_put(row, "\t", 1) < 0)
        return NO_MEMORY;
    *first = 0;
    return row_put(row, text, n) < 0 ? NO_MEMORY : OK;
}

/* The rows of one simple INSERT, "(1, 'a'), (2, 'b')", each hashed as its COPY text line. */
static int
insert_rows_sum(const char *p, Py_ssize_t pos, Py_ssize_t end, Row *row,
                unsigned long long *rows, XXH64_hash_t *sum)
{
    for (;;) {
        while (pos < end && is_space(p[pos]))
            pos++;
        if (pos >= end || p[pos] != '(')
            return NOT_SIMPLE;
        pos++;
        row->len = 0;
        int first = 1;
        for (;;) {
            if (pos < end && p[pos] == ')')
                break;
            while (pos < end && is_space(p[pos]))
                pos++;
            if (pos >= end)
                return NOT_SIMPLE;
            int status = put_field(row, p, &pos, end, &first);
            if (status != OK)
                return status;
            while (pos < end && is_space(p[pos]))
                pos++;
            if (pos >= end)
                return NOT_SIMPLE;
            if (p[pos] == ',')
                pos++;
            else if (p[pos] != ')')
                return NOT_SIMPLE;
        }
        pos++; /* the row's ')' */
        *sum += XXH3_64bits(row->data, row->len);
        (*rows)++;
        while (pos < end && is_space(p[pos]))
            pos++;
        if (pos >= end)
            return OK;
        if (p[pos] != ',')
            return NOT_SIMPLE;
        pos++;
    }
}

/* insert_rows(buffer, spans) -> (rows, sum, done): the VALUES rows of simple INSERTs (each
 * buffer[start:end] of spans, a list of (start, end), is "(..), (..)"), each row turned into
 * the line COPY would have written for it (pg_dump.c dumpTableData_insert writes each value
 * from that text) and hashed. It stops before the first span that holds anything else: done is
 * how many spans were read, and the caller reads the next one in Python (or refuses it). */
static PyObject *
insert_rows(PyObject *self, PyObject *args)
{
    Py_buffer view;
    PyObject *list;
    if (!PyArg_ParseTuple(args, "y*O!", &view, &PyList_Type, &list))
        return NULL;
    Py_ssize_t count = PyList_GET_SIZE(list);
    Py_ssize_t *bounds = PyMem_RawMalloc(sizeof(Py_ssize_t) * 2 * (size_t)(count ? count : 1));
    if (bounds == NULL) {
        PyBuffer_Release(&view);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t k = 0; k < count; k++) {
        Py_ssize_t start, end;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(list, k), "nn", &start, &end)
            || start < 0 || end > view.len || start > end) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "insert_rows: a span out of the buffer");
            PyMem_RawFree(bounds);
            PyBuffer_Release(&view);
            return NULL;
        }
        bounds[2 * k] = start;
        bounds[2 * k + 1] = end;
    }
    Row row = {NULL, 0, 0};
    unsigned long long rows = 0;
    XXH64_hash_t sum = 0;
    int status = OK;
    Py_ssize_t done = 0;
    Py_BEGIN_ALLOW_THREADS
    for (; done < count; done++) {
        unsigned long long span_rows = 0;
        XXH64_hash_t span_sum = 0;
        status = insert_rows_sum((const char *)view.buf, bounds[2 * done], bounds[2 * done + 1],
                                 &row, &span_rows, &span_sum);
        if (status != OK)
            break;
        rows += span_rows;
        sum += span_sum;
    }
    Py_END_ALLOW_THREADS
    PyMem_RawFree(row.data);
    PyMem_RawFree(bounds);
    PyBuffer_Release(&view);
    if (status == NO_MEMORY)
        return PyErr_NoMemory();
    return Py_BuildValue("KKn", rows, (unsigned long long)sum, done);
}

/* chunk_payloads(buffer, pos, int_size) -> (payloads, pos, status, length)
 *
 * The whole chunks of a custom archive's data block from buffer[pos:] (pg_backup_custom.c:
 * each a sign byte, an int_size little-endian length and that many bytes), their payloads
 * joined. An uncompressed archive holds one chunk per COPY row (compress_none.c), so a walk in
 * Python costs a few hundred ns a row. It stops at the first chunk that is not whole in the
 * buffer (status 0), at the zero length that ends the block (1), or at a set sign byte, which
 * pg_dump never writes (2); pos is then that chunk's header and length its length. */
static PyObject *
chunk_payloads(PyObject *self, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t pos;
    int int_size;
    if (!PyArg_ParseTuple(args, "y*ni", &view, &pos, &int_size))
        return NULL;
    if (pos < 0 || pos > view.len || (int_size != 4 && int_size != 8)) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "chunk_payloads: bad position or int size");
        return NULL;
    }
    const unsigned char *p = (const unsigned char *)view.buf;
    Py_ssize_t end = view.len, head = 1 + int_size, at = pos, total = 0;
    unsigned long long length = 0;
    int status = 0;
    while (at + head <= end) {
        length = 0;
        for (int k = int_size - 1; k >= 0; k--)
            length = (length << 8) | p[at + 1 + k];
        if (p[at] != 0) {
            status = 2;
            break;
        }
        if (length == 0) {
            status = 1;
            break;
        }
        if (length > (unsigned long long)(end - at - head))
            break;
        total += (Py_ssize_t)length;
        at += head + (Py_ssize_t)length;
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, total);
    if (out == NULL) {
        PyBuffer_Release(&view);
        return NULL;
    }
    char *dst = PyBytes_AS_STRING(out);
    for (Py_ssize_t q = pos; q < at;) {
        unsigned long long n = 0;
        for (int k = int_size - 1; k >= 0; k--)
            n = (n << 8) | p[q + 1 + k];
        memcpy(dst, p + q + head, (size_t)n);
        dst += n;
        q += head + (Py_ssize_t)n;
    }
    PyBuffer_Release(&view);
    return Py_BuildValue("NniK", out, at, status, length);
}

/* Dump readers allocate a fresh buffer of about 1 MiB for every block they read and free it
 * soon after. glibc serves such blocks with mmap, or from the top of the heap that free() then
 * trims: either way every block is new memory, faulted in page by page (measured 53,000 minor
 * faults and 0.14 s of system time for a 217 MB archive). Raising both thresholds keeps freed
 * blocks for reuse (5,000 faults, 0.02 s); the peak memory is the same. */
static PyObject *
reuse_freed_memory(PyObject *self, PyObject *unused)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    Py_RETURN_TRUE;
#else
    Py_RETURN_FALSE;
#endif
}

static PyMethodDef methods[] = {
    {"chunk_payloads", chunk_payloads, METH_VARARGS,
     "chunk_payloads(buffer, pos, int_size) -> (payloads, pos, status, length)."},
    {"insert_rows", insert_rows, METH_VARARGS,
     "insert_rows(buffer, spans) -> (rows, sum, done): INSERT rows hashed as COPY text."},
    {"reuse_freed_memory", reuse_freed_memory, METH_NOARGS,
     "reuse_freed_memory() -> whether glibc now keeps freed read buffers for reuse."},
    {"count_newlines", count_newlines, METH_VARARGS,
     "count_newlines(buffer, start, end) -> the newlines in buffer[start:end]."},
    {"end_marker", end_marker, METH_VARARGS,
     "end_marker(buffer, start, end) -> the offset of the first \\n\\\\. in buffer[start:end], or -1."},
    {"newline", newline, METH_VARARGS,
     "newline(buffer, start, end) -> the first newline's offset in buffer[start:end], or -1."},
    {"hash_lines", hash_lines, METH_VARARGS,
     "hash_lines(buffer, start, end) -> (rows, sum, tail): the complete lines' xxh3-64 sum."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "dumpcheck._rowhash", "COPY rows hashed in C.", -1, methods,
};

PyMODINIT_FUNC
PyInit__rowhash(void)
{
    return PyModule_Create(&module);
}
