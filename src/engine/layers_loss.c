/* layers_loss.c - softmax and the fused, numerically stable softmax +
 * cross-entropy loss (mean over the batch, as nn.CrossEntropyLoss). */
#include <math.h>

#include "convcalc/layers.h"

void cc_softmax_forward(float *out, const float *inp, long outer, long K, long inner)
{
    for (long o = 0; o < outer; o++)
        for (long in = 0; in < inner; in++) {
            const float *x = inp + (size_t)o * K * inner + in;
            float *y = out + (size_t)o * K * inner + in;
            float mx = x[0];
            for (long k = 1; k < K; k++)
                if (x[(size_t)k * inner] > mx)
                    mx = x[(size_t)k * inner];
            double s = 0.0;
            for (long k = 0; k < K; k++)
                s += exp((double)x[(size_t)k * inner] - mx);
            for (long k = 0; k < K; k++)
                y[(size_t)k * inner] = (float)(exp((double)x[(size_t)k * inner] - mx) / s);
        }
}

int cc_softmax_xent_forward(float *loss, float *probs, float *losses, uint8_t *correct,
                            const float *logits, const int32_t *targets, long B, long K,
                            cc_error *err)
{
    if (!loss || !probs || !logits || !targets)
        return cc_error_set(err, CC_EINVAL, "cross-entropy: a required buffer is missing");
    if (B < 1 || K < 1)
        return cc_error_set(err, CC_EINVAL,
                            "cross-entropy: batch %ld, classes %ld (expected positive sizes)",
                            B, K);
    size_t n;
    if (cc_size_mul((size_t)B, (size_t)K, &n) || n > ((size_t)1 << 34))
        return cc_error_set(err, CC_ERANGE, "cross-entropy: %ld x %ld logits are too many",
                            B, K);
    double total = 0.0;
    for (long b = 0; b < B; b++) {
        const float *x = logits + (size_t)b * K;
        float *p = probs + (size_t)b * K;
        int32_t t = targets[b];
        if (t < 0 || t >= K)
            return cc_error_set(err, CC_EINVAL,
                                "cross-entropy: sample %ld has target %d (expected 0 to %ld)",
                                b, (int)t, K - 1);
        long am = 0;
        for (long k = 0; k < K; k++) {
            if (!isfinite(x[k]))
                return cc_error_set(err, CC_ENUMERIC,
                                    "cross-entropy: sample %ld has a non-finite logit (%g) "
                                    "for class %ld", b, (double)x[k], k);
            if (x[k] > x[am])
                am = k;
        }
        double mx = x[am], s = 0.0;
        for (long k = 0; k < K; k++)
            s += exp((double)x[k] - mx);
        double lse = mx + log(s);
        for (long k = 0; k < K; k++)
            p[k] = (float)exp((double)x[k] - lse);
        double l = lse - x[t];
        if (losses)
            losses[b] = (float)l;
        if (correct)
            correct[b] = am == t;
        total += l;
    }
    double mean = total / (double)B;
    if (!isfinite(mean) || !isfinite((float)mean))
        return cc_error_set(err, CC_ENUMERIC, "cross-entropy: the loss is not finite");
    *loss = (float)mean;
    return CC_OK;
}

void cc_softmax_xent_backward(float *dlogits, const float *probs, const int32_t *targets,
                              long B, long K, float dloss)
{
    const float s = dloss / (float)B;
    for (long b = 0; b < B; b++) {
        const float *p = probs + (size_t)b * K;
        float *d = dlogits + (size_t)b * K;
        for (long k = 0; k < K; k++)
            d[k] += s * (p[k] - (k == targets[b] ? 1.0f : 0.0f));
    }
}
