/* report.c - tables in four formats and the parameter-count report of a
 * layer stack (the fifth format, JSON, built with cJSON). */
#include "convcalc/report.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tables ------------------------------------------------------------------ */
struct cc_table {
    int ncols;
    char **head;
    int *right;
    char **cells;      /* rows * ncols, row-major; NULL = empty */
    int *rule_before;  /* per row */
    size_t rows, cap;
    int pending_rule;
};

cc_table *cc_table_new(int ncols)
{
    if (ncols < 1 || ncols > 64)
        return NULL;
    cc_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ncols = ncols;
    t->head = calloc((size_t)ncols, sizeof *t->head);
    t->right = calloc((size_t)ncols, sizeof *t->right);
    if (!t->head || !t->right) {
        cc_table_free(t);
        return NULL;
    }
    return t;
}

void cc_table_free(cc_table *t)
{
    if (!t)
        return;
    if (t->head)
        for (int i = 0; i < t->ncols; i++)
            free(t->head[i]);
    free(t->head);
    free(t->right);
    for (size_t i = 0; i < t->rows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->rule_before);
    free(t);
}

int cc_table_header(cc_table *t, int col, const char *text, int right)
{
    if (col < 0 || col >= t->ncols)
        return CC_EINVAL;
    char *c = strdup(text);
    if (!c)
        return CC_ENOMEM;
    free(t->head[col]);
    t->head[col] = c;
    t->right[col] = right;
    return 0;
}

int cc_table_row(cc_table *t)
{
    if (t->rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        if (cap > 10000000)
            return CC_ERANGE;
        char **nc = realloc(t->cells, cap * (size_t)t->ncols * sizeof *nc);
        if (!nc)
            return CC_ENOMEM;
        t->cells = nc;
        int *nr = realloc(t->rule_before, cap * sizeof *nr);
        if (!nr)
            return CC_ENOMEM;
        t->rule_before = nr;
        t->cap = cap;
    }
    for (int i = 0; i < t->ncols; i++)
        t->cells[t->rows * (size_t)t->ncols + (size_t)i] = NULL;
    t->rule_before[t->rows] = t->pending_rule;
    t->pending_rule = 0;
    t->rows++;
    return 0;
}

int cc_table_cell(cc_table *t, int col, const char *fmt, ...)
{
    if (t->rows == 0 || col < 0 || col >= t->ncols)
        return CC_EINVAL;
    cc_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    cc_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (cc_buf_failed(&b)) {
        cc_buf_free(&b);
        return CC_ENOMEM;
    }
    char **slot = &t->cells[(t->rows - 1) * (size_t)t->ncols + (size_t)col];
    free(*slot);
    *slot = b.data ? b.data : strdup("");
    return *slot ? 0 : CC_ENOMEM;
}

int cc_table_rule(cc_table *t)
{
    t->pending_rule = 1;
    return 0;
}

static const char *cell(const cc_table *t, size_t r, int c)
{
    const char *s = t->cells[r * (size_t)t->ncols + (size_t)c];
    return s ? s : "";
}

void cc_latex_escape(cc_buf *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\\': cc_buf_puts(out, "\\textbackslash{}"); break;
        case '~': cc_buf_puts(out, "\\textasciitilde{}"); break;
        case '^': cc_buf_puts(out, "\\textasciicircum{}"); break;
        case '&': case '%': case '$': case '#': case '_': case '{': case '}':
            cc_buf_putc(out, '\\');
            cc_buf_putc(out, *s);
            break;
        default: cc_buf_putc(out, *s);
        }
    }
}

static void csv_field(cc_buf *out, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        cc_buf_puts(out, s);
        return;
    }
    cc_buf_putc(out, '"');
    for (; *s; s++) {
        if (*s == '"')
            cc_buf_putc(out, '"');
        cc_buf_putc(out, *s);
    }
    cc_buf_putc(out, '"');
}

static void md_field(cc_buf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            cc_buf_putc(out, '\\');
        cc_buf_putc(out, *s == '\n' ? ' ' : *s);
    }
}

int cc_table_render(cc_buf *out, const cc_table *t, cc_format format)
{
    int nc = t->ncols;
    switch (format) {
    case CC_FORMAT_TEXT: {
        size_t w[64];
        for (int c = 0; c < nc; c++) {
            w[c] = t->head[c] ? strlen(t->head[c]) : 0;
            for (size_t r = 0; r < t->rows; r++)
                if (strlen(cell(t, r, c)) > w[c])
                    w[c] = strlen(cell(t, r, c));
        }
        size_t total = 0;
        for (int c = 0; c < nc; c++)
            total += w[c] + (c ? 2 : 0);
        for (size_t r = 0; r <= t->rows; r++) {
            if (r > 0 && t->rule_before[r - 1]) {
                for (size_t k = 0; k < total; k++)
                    cc_buf_putc(out, '-');
                cc_buf_putc(out, '\n');
            }
            cc_buf b = {0};
            for (int c = 0; c < nc; c++) {
                const char *s = r == 0 ? (t->head[c] ? t->head[c] : "") : cell(t, r - 1, c);
                size_t pad = w[c] - strlen(s);
                if (c)
                    cc_buf_puts(&b, "  ");
                if (t->right[c])
                    for (size_t k = 0; k < pad; k++)
                        cc_buf_putc(&b, ' ');
                cc_buf_puts(&b, s);
                if (!t->right[c])
                    for (size_t k = 0; k < pad; k++)
                        cc_buf_putc(&b, ' ');
            }
            /* no trailing blanks */
            size_t len = b.len;
            while (len > 0 && b.data[len - 1] == ' ')
                len--;
            if (b.data)
                cc_buf_append(out, b.data, len);
            int failed = cc_buf_failed(&b);
            cc_buf_free(&b);
            if (failed)
                return CC_ENOMEM;
            cc_buf_putc(out, '\n');
            if (r == 0) {
                for (size_t k = 0; k < total; k++)
                    cc_buf_putc(out, '-');
                cc_buf_putc(out, '\n');
            }
        }
        break;
    }
    case CC_FORMAT_MARKDOWN:
        for (size_t r = 0; r <= t->rows; r++) {
            cc_buf_putc(out, '|');
            for (int c = 0; c < nc; c++) {
                cc_buf_putc(out, ' ');
                md_field(out, r == 0 ? (t->head[c] ? t->head[c] : "") : cell(t, r - 1, c));
                cc_buf_puts(out, " |");
            }
            cc_buf_putc(out, '\n');
            if (r == 0) {
                cc_buf_putc(out, '|');
                for (int c = 0; c < nc; c++)
                    cc_buf_puts(out, t->right[c] ? " --: |" : " --- |");
                cc_buf_putc(out, '\n');
            }
        }
        break;
    case CC_FORMAT_CSV:
        for (size_t r = 0; r <= t->rows; r++) {
            for (int c = 0; c < nc; c++) {
                if (c)
                    cc_buf_putc(out, ',');
                csv_field(out, r == 0 ? (t->head[c] ? t->head[c] : "") : cell(t, r - 1, c));
            }
            cc_buf_puts(out, "\r\n");
        }
        break;
    case CC_FORMAT_LATEX:
        cc_buf_puts(out, "\\begin{tabular}{");
        for (int c = 0; c < nc; c++)
            cc_buf_putc(out, t->right[c] ? 'r' : 'l');
        cc_buf_puts(out, "}\n\\hline\n");
        for (size_t r = 0; r <= t->rows; r++) {
            if (r > 0 && t->rule_before[r - 1])
                cc_buf_puts(out, "\\hline\n");
            for (int c = 0; c < nc; c++) {
                if (c)
                    cc_buf_puts(out, " & ");
                cc_latex_escape(out, r == 0 ? (t->head[c] ? t->head[c] : "") : cell(t, r - 1, c));
            }
            cc_buf_puts(out, " \\\\\n");
            if (r == 0)
                cc_buf_puts(out, "\\hline\n");
        }
        cc_buf_puts(out, "\\hline\n\\end{tabular}\n");
        break;
    default:
        return CC_EINVAL;
    }
    return cc_buf_failed(out) ? CC_ENOMEM : 0;
}

void cc_fmt_thousands(cc_buf *out, int64_t v)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%lld", (long long)v);
    const char *d = digits;
    if (*d == '-') {
        cc_buf_putc(out, '-');
        d++;
    }
    size_t n = strlen(d);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            cc_buf_putc(out, ',');
        cc_buf_putc(out, d[i]);
    }
}

/* ---- the stack report ------------------------------------------------------------ */
void cc_report_options_init(cc_report_options *o)
{
    memset(o, 0, sizeof *o);
    o->format = CC_FORMAT_TEXT;
    o->batch = 1;
}

/* Per-layer counts under the chosen convention. */
typedef struct row_counts {
    int64_t params, trainable, non_trainable;
} row_counts;

static row_counts layer_counts(const cc_layer *l, int keras)
{
    row_counts r = {l->counts.params, l->counts.trainable, l->counts.non_trainable};
    if (keras && r.params >= 0 && l->counts.buffers > 0) {
        r.params += l->counts.buffers;
        r.non_trainable += l->counts.buffers;
    }
    return r;
}

static void num_or_dash(cc_buf *b, int64_t v, int commas)
{
    if (v < 0)
        cc_buf_puts(b, "-");
    else if (commas)
        cc_fmt_thousands(b, v);
    else
        cc_buf_printf(b, "%lld", (long long)v);
}

static void rf_text(cc_buf *b, long h, long w)
{
    if (h < 0 && w < 0)
        cc_buf_puts(b, "all");
    else if (h == 0 || w == 0)
        cc_buf_puts(b, "?");
    else if (h == w)
        cc_buf_printf(b, "%ld", h);
    else if (h < 0 || w < 0)
        cc_buf_puts(b, "all");
    else
        cc_buf_printf(b, "%ldx%ld", h, w);
}

static const char *shape_status_name(cc_shape_status s)
{
    switch (s) {
    case CC_SHAPES_SEQUENTIAL: return "sequential";
    case CC_SHAPES_ASSUMED: return "assumed";
    case CC_SHAPES_UNKNOWN: return "unknown";
    default: return "none";
    }
}

static const char *source_name(cc_stack_source s)
{
    switch (s) {
    case CC_SOURCE_SPEC: return "spec";
    case CC_SOURCE_TORCH: return "torch";
    case CC_SOURCE_DARKNET: return "darknet";
    case CC_SOURCE_API: return "api";
    default: return "auto";
    }
}

static const char *layer_type(const cc_layer *l)
{
    return l->type[0] ? l->type : cc_layer_kind_name(l->kind);
}

static double mb(int64_t bytes)
{
    return (double)bytes / 1e6;
}

/* Memory estimate (torchinfo's): input, forward/backward (2 x outputs of
 * layers with parameters), parameters; 4 bytes each, times the batch. */
typedef struct memory {
    int64_t input, fwd_bwd, params, total;
} memory;

static int memory_of(const cc_stack_totals *t, long batch, memory *m)
{
    memset(m, 0, sizeof *m);
    m->input = m->fwd_bwd = -1;
    if (t->total_params >= 0 && cc_i64_mul(t->total_params, 4, &m->params))
        return CC_ERANGE;
    if (t->input_elements >= 0 && t->activation_elements >= 0) {
        int64_t a;
        if (cc_i64_mul(t->input_elements, batch, &a) || cc_i64_mul(a, 4, &m->input) ||
            cc_i64_mul(t->activation_elements, batch, &a) || cc_i64_mul(a, 4, &m->fwd_bwd))
            return CC_ERANGE;
    }
    m->total = m->input < 0 || m->params < 0 ? -1 : m->input + m->fwd_bwd + m->params;
    return 0;
}

static int render_json(cc_buf *out, const cc_stack *s, const cc_report_options *o,
                       const cc_stack_totals *t, const memory *m, cc_error *err)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *layers = cJSON_CreateArray();
    if (!root || !layers) {
        cJSON_Delete(root);
        cJSON_Delete(layers);
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    }
    cJSON_AddStringToObject(root, "source", source_name(s->source));
    if (o->title)
        cJSON_AddStringToObject(root, "file", o->title);
    if (s->input.rank == 3) {
        int v[3] = {(int)s->input.c, (int)s->input.h, (int)s->input.w};
        cJSON_AddItemToObject(root, "input", cJSON_CreateIntArray(v, 3));
    } else if (s->input.rank == 1) {
        int v[1] = {(int)s->input.c};
        cJSON_AddItemToObject(root, "input", cJSON_CreateIntArray(v, 1));
    } else {
        cJSON_AddNullToObject(root, "input");
    }
    cJSON_AddStringToObject(root, "shapes", shape_status_name(s->shapes));
    cJSON_AddStringToObject(root, "shape_note", s->shape_note);
    cJSON_AddStringToObject(root, "convention", o->keras ? "keras" : "pytorch");
    cJSON_AddItemToObject(root, "layers", layers);
    cc_buf b = {0};
    for (size_t i = 0; i < s->n; i++) {
        const cc_layer *l = &s->layers[i];
        row_counts rc = layer_counts(l, o->keras);
        cJSON *j = cJSON_CreateObject();
        if (!j)
            break;
        cJSON_AddItemToArray(layers, j);
        cJSON_AddNumberToObject(j, "index", (double)(i + 1));
        cJSON_AddStringToObject(j, "name", l->name);
        cJSON_AddStringToObject(j, "type", layer_type(l));
        cJSON_AddStringToObject(j, "kind", cc_layer_kind_name(l->kind));
        cc_buf_reset(&b);
        cc_layer_describe(&b, l);
        cJSON_AddStringToObject(j, "spec", cc_buf_str(&b));
        if (l->line)
            cJSON_AddNumberToObject(j, "line", l->line);
        const cc_shape *sh[2] = {&l->in, &l->out};
        const char *key[2] = {"input_shape", "output_shape"};
        for (int k = 0; k < 2; k++) {
            if (sh[k]->rank == 3) {
                int v[3] = {(int)sh[k]->c, (int)sh[k]->h, (int)sh[k]->w};
                cJSON_AddItemToObject(j, key[k], cJSON_CreateIntArray(v, 3));
            } else if (sh[k]->rank == 1) {
                int v[1] = {(int)sh[k]->c};
                cJSON_AddItemToObject(j, key[k], cJSON_CreateIntArray(v, 1));
            } else {
                cJSON_AddNullToObject(j, key[k]);
            }
        }
        cJSON_AddNumberToObject(j, "params", (double)rc.params);
        cc_buf_reset(&b);
        cc_layer_param_formula(&b, l, o->keras);
        cJSON_AddStringToObject(j, "formula", cc_buf_str(&b));
        cJSON_AddNumberToObject(j, "trainable", (double)rc.trainable);
        cJSON_AddNumberToObject(j, "non_trainable", (double)rc.non_trainable);
        cJSON_AddNumberToObject(j, "buffers", o->keras ? 0.0 : (double)l->counts.buffers);
        if (l->counts.macs >= 0) {
            cJSON_AddNumberToObject(j, "macs", (double)l->counts.macs);
            cJSON_AddNumberToObject(j, "flops", (double)l->counts.flops);
            int rf[2] = {(int)l->counts.rf_h, (int)l->counts.rf_w};
            int jp[2] = {(int)l->counts.jump_h, (int)l->counts.jump_w};
            cJSON_AddItemToObject(j, "receptive_field", cJSON_CreateIntArray(rf, 2));
            cJSON_AddItemToObject(j, "jump", cJSON_CreateIntArray(jp, 2));
        } else {
            cJSON_AddNullToObject(j, "macs");
            cJSON_AddNullToObject(j, "flops");
            cJSON_AddNullToObject(j, "receptive_field");
            cJSON_AddNullToObject(j, "jump");
        }
        if (l->kind == CC_LAYER_ADD)
            cJSON_AddNumberToObject(j, "from", l->from == CC_FROM_INPUT ? 0 : (double)(l->from + 1));
        if (l->kind == CC_LAYER_CONCAT) {
            cJSON *src = cJSON_AddArrayToObject(j, "sources");
            for (int k = 0; k < l->n_sources; k++)
                cJSON_AddItemToArray(src, cJSON_CreateNumber(l->sources[k] == CC_FROM_INPUT
                                                                 ? 0
                                                                 : (double)(l->sources[k] + 1)));
        }
    }
    cc_buf_free(&b);
    cJSON_AddNumberToObject(root, "total_params", (double)t->total_params);
    cJSON_AddNumberToObject(root, "trainable_params", (double)t->trainable_params);
    cJSON_AddNumberToObject(root, "non_trainable_params", (double)t->non_trainable_params);
    cJSON_AddNumberToObject(root, "buffers", (double)t->buffers);
#define NUM_OR_NULL(key, v)                                    \
    do {                                                       \
        if ((v) >= 0)                                          \
            cJSON_AddNumberToObject(root, key, (double)(v));   \
        else                                                   \
            cJSON_AddNullToObject(root, key);                  \
    } while (0)
    NUM_OR_NULL("macs", t->macs);
    NUM_OR_NULL("flops", t->flops);
    if (t->unhooked_macs > 0)
        cJSON_AddNumberToObject(root, "unhooked_macs", (double)t->unhooked_macs);
    if (s->source == CC_SOURCE_DARKNET)
        NUM_OR_NULL("darknet_ops", cc_stack_darknet_ops(s));
    cJSON_AddNumberToObject(root, "batch", (double)o->batch);
    NUM_OR_NULL("input_bytes", m->input);
    NUM_OR_NULL("activation_bytes", m->fwd_bwd);
    NUM_OR_NULL("param_bytes", m->params);
    NUM_OR_NULL("total_bytes", m->total);
#undef NUM_OR_NULL
    cJSON *notes = cJSON_AddArrayToObject(root, "notes");
    for (size_t i = 0; i < s->n_notes; i++) {
        cJSON *n = cJSON_CreateObject();
        cJSON_AddItemToArray(notes, n);
        cJSON_AddNumberToObject(n, "line", s->notes[i].line);
        cJSON_AddNumberToObject(n, "column", s->notes[i].col);
        cJSON_AddStringToObject(n, "message", s->notes[i].msg);
    }
    char *txt = cJSON_Print(root);
    cJSON_Delete(root);
    if (!txt)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    cc_buf_puts(out, txt);
    cc_buf_putc(out, '\n');
    free(txt);
    return cc_buf_failed(out) ? cc_error_set(err, CC_ENOMEM, "out of memory") : 0;
}

int cc_report_stack(cc_buf *out, const cc_stack *s, const cc_report_options *opt,
                    cc_error *err)
{
    cc_report_options o;
    if (opt)
        o = *opt;
    else
        cc_report_options_init(&o);
    if (o.batch < 1)
        o.batch = 1;
    cc_stack_totals t;
    cc_stack_totals_get(s, o.keras, &t);
    memory m;
    if (memory_of(&t, o.batch, &m))
        return cc_error_set(err, CC_ERANGE, "the memory estimate overflows");
    if (o.format == CC_FORMAT_JSON)
        return render_json(out, s, &o, &t, &m, err);

    int commas = o.format != CC_FORMAT_CSV;
    int shapes = s->shapes == CC_SHAPES_SEQUENTIAL || s->shapes == CC_SHAPES_ASSUMED;
    enum { C_NUM, C_NAME, C_TYPE, C_OUT, C_PARAMS, C_TRAIN, C_NONTRAIN, C_MACS, C_FLOPS,
           C_RF, C_JUMP, NCOLS };
    /* without shapes: no output, MACs, FLOPs, RF and jump columns */
    int pos[NCOLS], ncols = 0;
    for (int c = 0; c < NCOLS; c++) {
        int keep = shapes || (c != C_OUT && c < C_MACS);
        pos[c] = keep ? ncols++ : -1;
    }
    cc_table *tb = cc_table_new(ncols);
    if (!tb)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    static const char *const heads[NCOLS] = {"#", "name", "type", "output (CxHxW)",
                                             "params", "trainable", "non-trainable", "MACs",
                                             "FLOPs", "RF", "jump"};
    static const int right[NCOLS] = {1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1};
    for (int c = 0; c < NCOLS; c++)
        if (pos[c] >= 0)
            cc_table_header(tb, pos[c], heads[c], right[c]);
#define CELL(col, ...) (pos[col] >= 0 ? cc_table_cell(tb, pos[col], __VA_ARGS__) : 0)
    cc_buf b = {0};
    int rc = 0;
    for (size_t i = 0; i < s->n && !rc; i++) {
        const cc_layer *l = &s->layers[i];
        row_counts r = layer_counts(l, o.keras);
        rc = cc_table_row(tb);
        if (rc)
            break;
        CELL(C_NUM, "%zu", i + 1);
        CELL(C_NAME, "%s", l->name);
        CELL(C_TYPE, "%s", layer_type(l));
        cc_buf_reset(&b);
        cc_shape_format(&b, &l->out);
        if (l->out.rank == 0)
            cc_buf_reset(&b), cc_buf_puts(&b, "-");
        CELL(C_OUT, "%s", cc_buf_str(&b));
        cc_buf_reset(&b);
        if (r.params > 0)
            cc_layer_param_formula(&b, l, o.keras);
        if (!b.len)
            num_or_dash(&b, r.params, commas);
        if (!o.keras && l->counts.buffers > 0)
            cc_buf_printf(&b, " (+%lld buffers)", (long long)l->counts.buffers);
        CELL(C_PARAMS, "%s", cc_buf_str(&b));
        cc_buf_reset(&b);
        num_or_dash(&b, r.trainable, commas);
        CELL(C_TRAIN, "%s", cc_buf_str(&b));
        cc_buf_reset(&b);
        num_or_dash(&b, r.non_trainable, commas);
        CELL(C_NONTRAIN, "%s", cc_buf_str(&b));
        if (shapes) {
            cc_buf_reset(&b);
            num_or_dash(&b, l->counts.macs, commas);
            CELL(C_MACS, "%s", cc_buf_str(&b));
            cc_buf_reset(&b);
            num_or_dash(&b, l->counts.flops, commas);
            CELL(C_FLOPS, "%s", cc_buf_str(&b));
            cc_buf_reset(&b);
            rf_text(&b, l->counts.rf_h, l->counts.rf_w);
            CELL(C_RF, "%s", cc_buf_str(&b));
            cc_buf_reset(&b);
            if (l->counts.rf_h < 0 && l->counts.rf_w < 0)
                cc_buf_puts(&b, "-");
            else
                rf_text(&b, l->counts.jump_h, l->counts.jump_w);
            CELL(C_JUMP, "%s", cc_buf_str(&b));
        }
    }
    if (o.format == CC_FORMAT_CSV && !rc) {
        /* a last row with the totals */
        rc = cc_table_row(tb);
        if (!rc) {
            CELL(C_NAME, "total");
            CELL(C_PARAMS, "%lld", (long long)t.total_params);
            CELL(C_TRAIN, "%lld", (long long)t.trainable_params);
            CELL(C_NONTRAIN, "%lld", (long long)t.non_trainable_params);
            if (shapes) {
                CELL(C_MACS, "%lld", (long long)t.macs);
                CELL(C_FLOPS, "%lld", (long long)t.flops);
            }
        }
    }
#undef CELL
    cc_buf_free(&b);
    if (rc) {
        cc_table_free(tb);
        return cc_error_set(err, rc, "out of memory");
    }

    /* heading */
    cc_buf head = {0};
    if (o.title)
        cc_buf_printf(&head, "%s (%s)", o.title, source_name(s->source));
    else
        cc_buf_printf(&head, "layer stack (%s)", source_name(s->source));
    if (s->input.rank) {
        cc_buf_puts(&head, ", input ");
        if (s->input.rank == 3)
            cc_buf_printf(&head, "%ldx%ldx%ld (HxWxC)", s->input.h, s->input.w, s->input.c);
        else
            cc_buf_printf(&head, "%ld features", s->input.c);
    }
    cc_buf_printf(&head, ", %zu layers", s->n);

    switch (o.format) {
    case CC_FORMAT_TEXT:
        cc_buf_printf(out, "%s\n", cc_buf_str(&head));
        if (s->shape_note[0])
            cc_buf_printf(out, "Note: %s.\n", s->shape_note);
        cc_buf_putc(out, '\n');
        break;
    case CC_FORMAT_MARKDOWN:
        cc_buf_printf(out, "**%s**\n\n", cc_buf_str(&head));
        if (s->shape_note[0])
            cc_buf_printf(out, "*Note: %s.*\n\n", s->shape_note);
        break;
    case CC_FORMAT_LATEX:
        cc_buf_puts(out, "% ");
        cc_latex_escape(out, cc_buf_str(&head));
        cc_buf_putc(out, '\n');
        break;
    default:
        break;
    }
    cc_buf_free(&head);
    rc = cc_table_render(out, tb, o.format);
    cc_table_free(tb);
    if (rc)
        return cc_error_set(err, rc, "cannot render the table");
    if (o.format == CC_FORMAT_CSV)
        return cc_buf_failed(out) ? cc_error_set(err, CC_ENOMEM, "out of memory") : 0;

    /* totals */
    cc_table *tt = cc_table_new(2);
    if (!tt)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    cc_table_header(tt, 0, "total", 0);
    cc_table_header(tt, 1, "", 1);
    cc_buf v = {0};
#define TOTAL(label, expr)                      \
    do {                                        \
        cc_table_row(tt);                       \
        cc_table_cell(tt, 0, "%s", label);      \
        cc_buf_reset(&v);                       \
        expr;                                   \
        cc_table_cell(tt, 1, "%s", cc_buf_str(&v)); \
    } while (0)
    TOTAL("Total params", num_or_dash(&v, t.total_params, 1));
    TOTAL("Trainable params", num_or_dash(&v, t.trainable_params, 1));
    TOTAL(o.keras ? "Non-trainable params (BatchNorm moving mean and variance)"
                  : "Non-trainable params",
          num_or_dash(&v, t.non_trainable_params, 1));
    if (!o.keras)
        TOTAL("Buffers (BatchNorm running mean and variance)", num_or_dash(&v, t.buffers, 1));
    if (t.macs >= 0) {
        TOTAL("MACs per sample", num_or_dash(&v, t.macs, 1));
        TOTAL("FLOPs per sample", num_or_dash(&v, t.flops, 1));
        if (t.unhooked_macs > 0) {
            /* the MACs convention is forward hooks': attention computed
             * as functions is not in it, so say how much that is */
            TOTAL("MACs forward hooks miss (attention run as functions)",
                  num_or_dash(&v, t.unhooked_macs, 1));
            TOTAL("MACs with that attention",
                  num_or_dash(&v, t.macs + t.unhooked_macs, 1));
        }
        if (s->source == CC_SOURCE_DARKNET)
            TOTAL("darknet ops (2 x MACs, as `darknet ops` counts)",
                  num_or_dash(&v, cc_stack_darknet_ops(s), 1));
    }
    char lab[80];
    if (m.input >= 0) {
        snprintf(lab, sizeof lab, "Input size (MB), batch %ld", o.batch);
        TOTAL(lab, cc_buf_printf(&v, "%.2f", mb(m.input)));
        TOTAL("Forward/backward pass size (MB)", cc_buf_printf(&v, "%.2f", mb(m.fwd_bwd)));
    }
    if (m.params >= 0)
        TOTAL("Params size (MB)", cc_buf_printf(&v, "%.2f", mb(m.params)));
    if (m.total >= 0)
        TOTAL("Estimated total size (MB)", cc_buf_printf(&v, "%.2f", mb(m.total)));
#undef TOTAL
    cc_buf_free(&v);
    cc_buf_putc(out, '\n');
    if (o.format == CC_FORMAT_TEXT) {
        /* a plain list, labels aligned */
        cc_buf tb2 = {0};
        rc = cc_table_render(&tb2, tt, CC_FORMAT_TEXT);
        /* drop the heading and its rule (the first two lines) */
        const char *p = cc_buf_str(&tb2);
        for (int k = 0; k < 2 && (p = strchr(p, '\n')); k++)
            p++;
        if (p)
            cc_buf_puts(out, p);
        cc_buf_free(&tb2);
    } else {
        rc = cc_table_render(out, tt, o.format);
    }
    cc_table_free(tt);
    if (rc)
        return cc_error_set(err, rc, "cannot render the totals");
    return cc_buf_failed(out) ? cc_error_set(err, CC_ENOMEM, "out of memory") : 0;
}
