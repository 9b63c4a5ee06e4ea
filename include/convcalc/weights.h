/* convcalc/weights.h - weights trained elsewhere: PyTorch state_dict files
 * and joining them to a network by PyTorch's state_dict names.
 *
 *   cc_safetensors *sd;                       // the tensors, by name
 *   cc_state_dict_load(&sd, "model.pt", &err); // .pt or .safetensors
 *   cc_net_load_state_dict(net, sd, &err);    // "features.0.weight", ...
 *
 * A .pt file is what torch.save(model.state_dict(), F) writes (PyTorch 1.6
 * and later): a zip archive (read with libzip) holding DIR/data.pkl, a
 * pickle of an OrderedDict from names to tensors, and one member
 * DIR/data/KEY per storage with its raw little-endian elements. The pickle
 * is read by a restricted reader that understands only what torch.save
 * writes for a state_dict; it never imports or runs anything, and refuses
 * any other opcode or global by name with its byte offset.
 *
 * Element types: float32 is read as is; float64, float16 and bfloat16 are
 * converted to float32; integer and bool tensors are read (converted) too,
 * but only BatchNorm's num_batches_tracked may be an integer tensor when
 * weights are joined to a network. Other storage types (complex,
 * quantized) are refused by name.
 *
 * Every function returns 0 or a negative CC_E* code and fills err; errors
 * in a file carry its path as the source and the byte offset in the
 * message ("at byte 145 of fmnist/data.pkl: ..."). */
#ifndef CONVCALC_WEIGHTS_H
#define CONVCALC_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "convcalc/common.h"
#include "convcalc/model.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cc_net;

/* Read a .pt archive from memory into a new container (tensors in the
 * state_dict's order, values as float32, dtype = what the file held). */
int cc_pt_parse(cc_safetensors **out, const unsigned char *data, size_t len, cc_error *err);

/* Read a state_dict file: a .pt archive (zip), or safetensors (any
 * numeric dtype, cc_st_parse_any), told apart by their first bytes. The
 * legacy (non-zip) torch.save format is refused with a hint. */
int cc_state_dict_load(cc_safetensors **out, const char *path, cc_error *err);

/* Copy the tensors of sd into net's parameters and buffers, joined by
 * name. Every parameter and buffer must be in sd with its PyTorch shape,
 * and sd may hold nothing else except the num_batches_tracked of the
 * network's BatchNorm layers. Otherwise nothing is copied, and the error
 * (CC_EINVAL, or CC_ESHAPE when only shapes differ) names the missing
 * keys, the unexpected keys and the shape mismatches (as PyTorch's
 * load_state_dict does). */
int cc_net_load_state_dict(struct cc_net *net, const cc_safetensors *sd, cc_error *err);

/* Build the network the structure file at spec_path describes (the spec
 * language, a PyTorch print(model) or a darknet cfg, detected from the
 * text), for inputs of in_c x in_h x in_w when the text gives no input size
 * (in_c 0: it must give one), load the state_dict file weights_path into it
 * and put it in eval mode. *stack_out (may be NULL) gets the inferred
 * stack (cc_stack_free it). Errors carry the file they are about. */
struct cc_stack;
int cc_pt_net_load(struct cc_net **out, struct cc_stack **stack_out, const char *spec_path,
                   const char *weights_path, long in_c, long in_h, long in_w, cc_error *err);

/* Evaluate net (eval mode) on the data the way torchvision prepares images
 * for a model trained with ToTensor and Normalize(mean, std): pixels / 255,
 * then (x - mean[ch]) / std[ch] for each of `channels` channels (0: no
 * normalisation). There is no validation split: the training split is the
 * whole training set. splits: bit (1 << CC_SPLIT_TRAIN) and/or
 * (1 << CC_SPLIT_TEST) chooses what is evaluated. The images must have the
 * network's input size. confusion: NULL or a classes x classes matrix that
 * the test split's counts are added to. */
struct cc_data;
struct cc_results;
int cc_net_evaluate_data(struct cc_net *net, const struct cc_data *d, const float *mean,
                         const float *std, int channels, long batch, unsigned splits,
                         struct cc_results *out, int64_t *confusion, cc_error *err);

#ifdef __cplusplus
}
#endif
#endif
