/* import_torch.c - read PyTorch's print(model) output as printed by
 * nn.Module.__repr__: a container is `Type(` on one line, its children as
 * `(name): Module(...)` lines indented by two more spaces, and `)` alone;
 * a leaf is `Type(args)` on one line. PyTorch 2 collapses identical
 * neighbours into `(1-3): 3 x Type(...)`, which is expanded here. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcalc/stack.h"
#include "import_torch_priv.h"

#define MAX_NODES 200000
#define MAX_NEST 64

static int ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static int new_node(tparser *tp, int line, int *out)
{
    *out = 0;
    if (tp->n == tp->cap) {
        size_t cap = tp->cap ? tp->cap * 2 : 64;
        if (cap > MAX_NODES)
            cap = MAX_NODES;
        if (tp->n >= MAX_NODES)
            return cc_error_at(tp->err, CC_ERANGE, line, 1, "more than %d modules",
                               MAX_NODES);
        tnode *nn = realloc(tp->nodes, cap * sizeof *nn);
        if (!nn)
            return cc_error_set(tp->err, CC_ENOMEM, "out of memory");
        tp->nodes = nn;
        tp->cap = cap;
    }
    tnode *n = &tp->nodes[tp->n];
    memset(n, 0, sizeof *n);
    n->repeat = 1;
    n->first_child = n->next_sibling = n->last_child = -1;
    *out = (int)tp->n++;
    return 0;
}

/* ---- structure ----------------------------------------------------------------------- */
/* Parse one line (without its newline) that starts a module: `Type(...)`,
 * `Type(` or, when named, `(name): [N x ]Type(...)`. */
static int parse_module_line(tparser *tp, const char *p, const char *e, int line,
                             const char *line_start, int named, int *idx)
{
    int rc = new_node(tp, line, idx);
    if (rc)
        return rc;
    tnode *n = &tp->nodes[*idx];
    n->line = line;
    n->col = (int)(p - line_start) + 1;
    if (named) {
        /* (name): */
        const char *a = p + 1, *b = a;
        while (b < e && *b != ')')
            b++;
        if (b >= e || b == a || b + 2 >= e || b[1] != ':' || b[2] != ' ')
            return cc_error_at(tp->err, CC_EINVAL, line, n->col,
                               "expected '(name): Module(...)'");
        if (b - a >= (int)sizeof n->name)
            return cc_error_at(tp->err, CC_EINVAL, line, n->col, "module name too long");
        memcpy(n->name, a, (size_t)(b - a));
        n->name[b - a] = '\0';
        p = b + 3;
        /* "N x " collapsed repeat */
        const char *q = p;
        long cnt = 0;
        while (q < e && *q >= '0' && *q <= '9' && cnt <= 1000000)
            cnt = cnt * 10 + (*q++ - '0');
        if (q > p && q + 3 <= e && q[0] == ' ' && q[1] == 'x' && q[2] == ' ') {
            long a1 = 0, b1 = 0;
            const char *dash = strchr(n->name, '-');
            if (cnt < 1 || cnt > 100000 || !dash ||
                sscanf(n->name, "%ld-%ld", &a1, &b1) != 2 || b1 - a1 + 1 != cnt)
                return cc_error_at(tp->err, CC_EINVAL, line, (int)(p - line_start) + 1,
                                   "'%.*s x' does not match the range '(%s)'", (int)(q - p), p,
                                   n->name);
            n->repeat = cnt;
            n->first_index = a1;
            p = q + 3;
        }
    }
    n->col = (int)(p - line_start) + 1;
    const char *t = p;
    while (t < e && (ident_char(*t) || *t == '.'))
        t++;
    if (t == p || t >= e || *t != '(')
        return cc_error_at(tp->err, CC_EINVAL, line, n->col,
                           "expected a module such as 'Conv2d(...)' or 'Sequential('");
    if (t - p >= (int)sizeof n->type)
        return cc_error_at(tp->err, CC_EINVAL, line, n->col, "module type name too long");
    memcpy(n->type, p, (size_t)(t - p));
    n->type[t - p] = '\0';
    t++;
    if (t == e) {
        n->is_container = 1;
        return 0;
    }
    /* leaf: the arguments run to the matching ')' which must end the line */
    int depth = 1;
    const char *a = t;
    char quote = 0;
    for (; t < e; t++) {
        if (quote) {
            if (*t == quote)
                quote = 0;
        } else if (*t == '\'' || *t == '"') {
            quote = *t;
        } else if (*t == '(' || *t == '[') {
            depth++;
        } else if (*t == ')' || *t == ']') {
            if (--depth == 0)
                break;
        }
    }
    if (t >= e)
        return cc_error_at(tp->err, CC_EINVAL, line, (int)(e - line_start) + 1,
                           "'%s(' is not closed on its line (expected ')')", n->type);
    if (t + 1 != e)
        return cc_error_at(tp->err, CC_EINVAL, line, (int)(t + 1 - line_start) + 1,
                           "unexpected text after '%s(...)'", n->type);
    n->args = a;
    n->args_len = (int)(t - a);
    n->args_col = (int)(a - line_start) + 1;
    return 0;
}

/* A line a container's own extra_repr prints, such as torchvision's
 * GeneralizedRCNNTransform's `Normalize(mean=[...], std=[...])`: a name,
 * then parentheses that close at the end of the line. */
static int extra_text(const char *p, const char *e)
{
    const char *t = p;
    while (t < e && (ident_char(*t) || *t == '.'))
        t++;
    if (t == p || t >= e || *t != '(' || e[-1] != ')')
        return 0;
    int depth = 0;
    for (; t < e; t++) {
        if (*t == '(' || *t == '[')
            depth++;
        else if ((*t == ')' || *t == ']') && --depth == 0 && t + 1 != e)
            return 0;
    }
    return depth == 0;
}

static int build_tree(tparser *tp, const char *text, size_t len, int *root)
{
    int open[MAX_NEST];
    int depth = 0;
    *root = -1;
    int line = 0;
    size_t i = 0;
    int done = 0;
    while (i < len) {
        line++;
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        size_t end = e;
        while (end > i && (text[end - 1] == '\r' || text[end - 1] == ' ' || text[end - 1] == '\t'))
            end--;
        const char *ls = text + i, *p = ls, *pe = text + end;
        while (p < pe && (*p == ' ' || *p == '\t'))
            p++;
        for (const char *c = p; c < pe; c++)
            if ((unsigned char)*c < 0x20 && *c != '\t')
                return cc_error_at(tp->err, CC_EINVAL, line, (int)(c - ls) + 1,
                                   "unexpected control character (byte %d)", (unsigned char)*c);
        if (p == pe) {
            i = e + 1;
            continue;
        }
        if (done)
            return cc_error_at(tp->err, CC_EINVAL, line, (int)(p - ls) + 1,
                               "text after the end of the model (its closing ')' is on an "
                               "earlier line)");
        if (*p == ')' && p + 1 == pe) {
            if (depth == 0)
                return cc_error_at(tp->err, CC_EINVAL, line, (int)(p - ls) + 1,
                                   "')' closes nothing");
            depth--;
            if (depth == 0)
                done = 1;
            i = e + 1;
            continue;
        }
        int named = *p == '(';
        if (depth == 0 && (named || *root >= 0))
            return cc_error_at(tp->err, CC_EINVAL, line, (int)(p - ls) + 1,
                               "expected the model's first line, such as 'Sequential(' or "
                               "'Net('");
        if (depth > 0 && !named && extra_text(p, pe)) {
            cc_stack_note_add(tp->s, line, (int)(p - ls) + 1,
                              "'%.*s' inside %s is text its extra_repr prints, not a module "
                              "(ignored)",
                              (int)(pe - p > 60 ? 60 : pe - p), p,
                              tp->nodes[open[depth - 1]].type);
            i = e + 1;
            continue;
        }
        if (depth > 0 && !named)
            return cc_error_at(tp->err, CC_EINVAL, line, (int)(p - ls) + 1,
                               "expected '(name): Module(...)' or ')' inside %s (extra text "
                               "that a custom extra_repr prints is not understood)",
                               tp->nodes[open[depth - 1]].type);
        int idx = 0;
        int rc = parse_module_line(tp, p, pe, line, ls, named, &idx);
        if (rc)
            return rc;
        if (depth == 0) {
            *root = idx;
            if (!tp->nodes[idx].is_container)
                done = 1;
        } else {
            tnode *par = &tp->nodes[open[depth - 1]];
            if (par->last_child < 0)
                par->first_child = idx;
            else
                tp->nodes[par->last_child].next_sibling = idx;
            par->last_child = idx;
        }
        if (tp->nodes[idx].is_container) {
            if (depth == MAX_NEST)
                return cc_error_at(tp->err, CC_EINVAL, line, (int)(p - ls) + 1,
                                   "modules nested more than %d deep", MAX_NEST);
            open[depth++] = idx;
        }
        i = e + 1;
    }
    if (depth > 0) {
        tnode *o = &tp->nodes[open[depth - 1]];
        return cc_error_at(tp->err, CC_EINVAL, o->line, o->col,
                           "'%s(' is never closed (expected a line with ')')", o->type);
    }
    if (*root < 0)
        return cc_error_at(tp->err, CC_EINVAL, line ? line : 1, 1,
                           "empty input (expected the output of print(model))");
    return 0;
}


int tt_add(tparser *tp, cc_layer *l)
{
    if (++tp->expanded > 1000000)
        return cc_error_at(tp->err, CC_ERANGE, l->line, l->col, "more than 1000000 layers");
    return cc_stack_add(tp->s, l, tp->err);
}

int tt_walk_children(tparser *tp, int idx, const char *name, int depth)
{
    for (int c = tp->nodes[idx].first_child; c >= 0; c = tp->nodes[c].next_sibling) {
        int rc = tt_walk(tp, c, name, depth + 1);
        if (rc)
            return rc;
    }
    return 0;
}

int tt_walk(tparser *tp, int idx, const char *prefix, int depth)
{
    const tnode *n = &tp->nodes[idx];
    for (long r = 0; r < n->repeat; r++) {
        char name[96];
        if (n->repeat > 1)
            snprintf(name, sizeof name, "%s%s%ld", prefix, prefix[0] ? "." : "",
                     n->first_index + r);
        else if (n->name[0])
            snprintf(name, sizeof name, "%s%s%s", prefix, prefix[0] ? "." : "", n->name);
        else
            snprintf(name, sizeof name, "%s", prefix);
        int rc;
        if (n->is_container) {
            if (strcmp(n->type, "Sequential") != 0)
                tp->s->custom_modules = 1;
            int handled = 0;
            rc = tt_block(tp, idx, name, depth, &handled);
            if (!rc && !handled)
                rc = tt_walk_children(tp, idx, name, depth);
            if (rc)
                return rc;
            continue;
        }
        cc_layer l;
        rc = tt_leaf_layer(tp, n, &l);
        if (rc > 0)
            continue; /* nothing forward() runs (an empty ModuleList) */
        if (rc)
            return rc;
        snprintf(l.name, sizeof l.name, "%s", name);
        l.depth = depth;
        rc = tt_add(tp, &l);
        if (rc)
            return rc;
    }
    return 0;
}

/* One note per unknown module type, naming its first line. */
static void unknown_notes(tparser *tp)
{
    if (tp->n_known) {
        char list[400];
        size_t len = 0;
        for (int k = 0; k < tp->n_known && len < sizeof list; k++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "",
                                    tp->known[k]);
        cc_stack_note_add(tp->s, 0, 0,
                          "from knowing torchvision's classes, not from the text: the data "
                          "flow or hidden parameters of %s (rows whose type is in "
                          "parentheses)",
                          list);
    }
    for (size_t i = 0; i < tp->n_unknown; i++) {
        const tunknown *u = &tp->unknown[i];
        char more[48] = "";
        if (u->more)
            snprintf(more, sizeof more, " (and %ld more)", u->more);
        cc_stack_note_add(tp->s, u->line, u->col,
                          "'%s'%s is not a module convcalc knows: counted as having no "
                          "parameters, so the totals are exact only if it has none",
                          u->type, more);
    }
}

int cc_stack_parse_torch(cc_stack **out, const char *text, size_t len, cc_error *err)
{
    *out = NULL;
    tparser tp;
    memset(&tp, 0, sizeof tp);
    tp.err = err;
    tp.s = cc_stack_new();
    if (!tp.s)
        return cc_error_set(err, CC_ENOMEM, "out of memory");
    tp.s->source = CC_SOURCE_TORCH;
    int root = -1;
    int rc = build_tree(&tp, text, len, &root);
    if (!rc)
        rc = tt_walk(&tp, root, "", 0);
    if (!rc)
        unknown_notes(&tp);
    if (!rc && tp.s->n == 0)
        rc = cc_error_at(err, CC_EINVAL, tp.nodes[root].line, tp.nodes[root].col,
                         "%s has no layers", tp.nodes[root].type);
    if (!rc && tp.s->custom_modules) {
        /* A custom forward() usually flattens before its first Linear
         * (torch.flatten(x, 1)): accept a C x H x W input there. */
        for (size_t i = 0; i < tp.s->n; i++)
            if (tp.s->layers[i].kind == CC_LAYER_LINEAR)
                tp.s->layers[i].flatten_input = 1;
    }
    free(tp.nodes);
    free(tp.unknown);
    if (rc) {
        cc_stack_free(tp.s);
        return rc;
    }
    *out = tp.s;
    return 0;
}

