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
#include <string.h>

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

static PyMethodDef methods[] = {
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
