/* darknet_priv.h - what the darknet cfg reader's files share (private):
 * import_darknet.c reads the lines and keys, import_darknet_layers.c turns
 * each section into layers. */
#ifndef CONVCALC_DARKNET_PRIV_H
#define CONVCALC_DARKNET_PRIV_H

#include <stddef.h>

#include "convcalc/stack.h"

#define DN_MAX_KEYS 48

typedef struct dn_kv {
    char key[40];
    char val[200];
    int line, col, vcol;
    int used;
} dn_kv;

typedef struct dn_section {
    char name[40];
    char label[64];   /* "[convolutional] (layer 5)" for messages       */
    int line, col;
    dn_kv keys[DN_MAX_KEYS];
    int n;
} dn_section;

typedef struct dn_parser {
    cc_stack *s;
    cc_error *err;
    long *map;        /* darknet section index -> stack index of its output */
    size_t n_map, cap_map;
} dn_parser;

/* The key's last occurrence (marked used), or NULL. */
dn_kv *dn_find(dn_section *sec, const char *key);
/* key as a whole number from min to CC_DIM_MAX (dflt when absent). */
int dn_long(dn_parser *dp, dn_section *sec, const char *key, long dflt, long min, long *out);
/* key as a whole number that may be negative (|v| <= CC_DIM_MAX). */
int dn_signed(dn_parser *dp, dn_section *sec, const char *key, long dflt, long *out);
/* key as a real number from lo to hi. */
int dn_real(dn_parser *dp, dn_section *sec, const char *key, double dflt, double lo,
            double hi, double *out);
/* Append l, named "<what>_<idx>", typed with the section's name. */
int dn_add(dn_parser *dp, cc_layer *l, const dn_section *sec, size_t idx, const char *what);
/* activation=NAME (default dflt) as a layer after the section's; linear
 * adds none. */
int dn_activation(dn_parser *dp, dn_section *sec, size_t idx, const char *dflt);
/* A darknet layer number in text (negative: relative to idx) as the stack
 * index of that layer's output. */
int dn_resolve(dn_parser *dp, dn_section *sec, dn_kv *k, const char *text, size_t idx,
               long *out);
/* The layers of section sec, darknet layer idx (import_darknet_layers.c). */
int dn_layer_section(dn_parser *dp, dn_section *sec, size_t idx);

#endif
