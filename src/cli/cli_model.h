/* cli_model.h - what `eval` and `infer` share for models trained elsewhere:
 * loading a structure + state_dict or an ONNX file, and the normalisation
 * options (--mean, --std). */
#ifndef CONVCALC_CLI_MODEL_H
#define CONVCALC_CLI_MODEL_H

#include "convcalc/common.h"

struct cc_net;

/* (cli_is_onnx, in cli.h, tells an ONNX path.) */

/* Parse "0.5" or "0.485,0.456,0.406" (arg may be NULL: *n = 0) into at
 * most max values; prints the error and returns CLI_USAGE. */
int cli_parse_floats(const char *cmd, const char *option, const char *arg, float *out,
                     int max, int *n);

/* Check --mean/--std counts against the images' channels; one value is
 * used for every channel (mean and std are widened in place). */
int cli_norm_channels(const char *cmd, float *mean, float *std, int nm, int ns, int channels,
                      int *out_channels);

/* Load a model trained elsewhere: an ONNX file, or the structure at
 * model (spec, PyTorch repr, darknet cfg) with the state_dict weights,
 * for inputs of c x h x w when the structure gives no size. */
int cli_load_external(struct cc_net **out, const char *model, const char *weights, long c,
                      long h, long w, cc_error *err);

/* "Model: ... (N parameters, ...)\n" */
void cli_describe_external(cc_buf *out, struct cc_net *net, const char *model,
                           const char *weights);
/* "Inputs: pixels scaled to [0, 1] ..., then normalised ...\n" */
void cli_describe_norm(cc_buf *out, const float *mean, const float *std, int channels);

#endif
