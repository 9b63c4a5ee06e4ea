/* layers_act.c - elementwise layers: ReLU, LeakyReLU, ELU, Sigmoid, Tanh,
 * Dropout, Flatten and the residual add, forward and backward. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "convcalc/layers.h"

/* ReLU is written branch-free and four lanes at a time (GCC/Clang vector
 * extensions, plain SSE2 on x86-64): on real activations the sign is a
 * coin toss, and a branch per element mispredicts half the time. NaN passes
 * through, as torch.relu does. */
typedef float cc_v4f __attribute__((vector_size(16)));
typedef int32_t cc_v4i __attribute__((vector_size(16)));

void cc_relu_forward(float *out, const float *inp, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        cc_v4f v;
        memcpy(&v, inp + i, sizeof v);
        cc_v4i keep = (v > 0.0f) | (v != v);
        v = (cc_v4f)((cc_v4i)v & keep);
        memcpy(out + i, &v, sizeof v);
    }
    for (; i < n; i++)
        out[i] = (inp[i] > 0.0f || inp[i] != inp[i]) ? inp[i] : 0.0f;
}

void cc_relu_backward(float *dinp, const float *dout, const float *out, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        cc_v4f g, o, acc;
        memcpy(&g, dout + i, sizeof g);
        memcpy(&o, out + i, sizeof o);
        memcpy(&acc, dinp + i, sizeof acc);
        acc += (cc_v4f)((cc_v4i)g & (o > 0.0f));
        memcpy(dinp + i, &acc, sizeof acc);
    }
    for (; i < n; i++)
        if (out[i] > 0.0f)
            dinp[i] += dout[i];
}

void cc_leaky_relu_forward(float *out, const float *inp, size_t n, float slope)
{
    for (size_t i = 0; i < n; i++)
        out[i] = inp[i] > 0.0f ? inp[i] : slope * inp[i];
}

void cc_leaky_relu_backward(float *dinp, const float *dout, const float *inp, size_t n,
                            float slope)
{
    for (size_t i = 0; i < n; i++)
        dinp[i] += inp[i] > 0.0f ? dout[i] : slope * dout[i];
}

void cc_elu_forward(float *out, const float *inp, size_t n, float alpha)
{
    for (size_t i = 0; i < n; i++)
        out[i] = inp[i] > 0.0f ? inp[i] : alpha * expm1f(inp[i]);
}

void cc_elu_backward(float *dinp, const float *dout, const float *inp, size_t n,
                     float alpha)
{
    for (size_t i = 0; i < n; i++)
        dinp[i] += inp[i] > 0.0f ? dout[i] : dout[i] * alpha * expf(inp[i]);
}

void cc_sigmoid_forward(float *out, const float *inp, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float x = inp[i];
        if (x >= 0.0f) {
            out[i] = 1.0f / (1.0f + expf(-x));
        } else {
            float e = expf(x); /* never overflows for x < 0 */
            out[i] = e / (1.0f + e);
        }
    }
}

void cc_sigmoid_backward(float *dinp, const float *dout, const float *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dinp[i] += dout[i] * out[i] * (1.0f - out[i]);
}

void cc_tanh_forward(float *out, const float *inp, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = tanhf(inp[i]);
}

void cc_tanh_backward(float *dinp, const float *dout, const float *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dinp[i] += dout[i] * (1.0f - out[i] * out[i]);
}

int cc_dropout_forward(float *out, float *mask, const float *inp, size_t n, float p,
                       int training, cc_rng *rng, cc_error *err)
{
    if (!out || !mask || !inp)
        return cc_error_set(err, CC_EINVAL, "dropout: a required buffer is missing");
    if (!(p >= 0.0f && p <= 1.0f))
        return cc_error_set(err, CC_EINVAL, "dropout: probability %g (expected 0 to 1)",
                            (double)p);
    if (!training || p == 0.0f) {
        for (size_t i = 0; i < n; i++) {
            mask[i] = 1.0f;
            out[i] = inp[i];
        }
        return CC_OK;
    }
    if (!rng)
        return cc_error_set(err, CC_EINVAL, "dropout: training needs a random generator");
    const float scale = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
    for (size_t i = 0; i < n; i++) {
        float u = cc_rng_uniformf(rng);
        mask[i] = u < p ? 0.0f : scale;
        out[i] = inp[i] * mask[i];
    }
    return CC_OK;
}

void cc_dropout_backward(float *dinp, const float *dout, const float *mask, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dinp[i] += dout[i] * mask[i];
}

void cc_flatten_forward(float *out, const float *inp, size_t n)
{
    if (out != inp)
        memmove(out, inp, n * sizeof(float));
}

void cc_flatten_backward(float *dinp, const float *dout, size_t n)
{
    if (dinp == dout)
        return; /* aliased: the gradient already is where it belongs */
    for (size_t i = 0; i < n; i++)
        dinp[i] += dout[i];
}

void cc_add_forward(float *out, const float *a, const float *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = a[i] + b[i];
}

void cc_add_backward(float *da, float *db, const float *dout, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (da)
            da[i] += dout[i];
        if (db)
            db[i] += dout[i];
    }
}
