/* layers_act2.c - the activations ONNX models and modern CNNs use beyond
 * layers_act.c: clip (ReLU6), hardsigmoid, hardswish, SiLU, GELU, softplus,
 * SELU, PReLU, and log-softmax, with the softmax backward pass. Forward
 * from the input, backward accumulating into dinp. */
#include <math.h>
#include <string.h>

#include "convcalc/layers.h"

void cc_clip_forward(float *out, const float *inp, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++)
        out[i] = inp[i] < lo ? lo : inp[i] > hi ? hi : inp[i];
}

void cc_clip_backward(float *dinp, const float *dout, const float *inp, size_t n, float lo,
                      float hi)
{
    for (size_t i = 0; i < n; i++)
        if (inp[i] > lo && inp[i] < hi)
            dinp[i] += dout[i];
}

void cc_hardsigmoid_forward(float *out, const float *inp, size_t n, float alpha,
                            float beta)
{
    for (size_t i = 0; i < n; i++) {
        float v = alpha * inp[i] + beta;
        out[i] = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
    }
}

void cc_hardsigmoid_backward(float *dinp, const float *dout, const float *inp, size_t n,
                             float alpha, float beta)
{
    for (size_t i = 0; i < n; i++) {
        float v = alpha * inp[i] + beta;
        if (v > 0.0f && v < 1.0f)
            dinp[i] += alpha * dout[i];
    }
}

void cc_hardswish_forward(float *out, const float *inp, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float x = inp[i], r = x + 3.0f;
        r = r < 0.0f ? 0.0f : r > 6.0f ? 6.0f : r;
        out[i] = x * r / 6.0f;
    }
}

void cc_hardswish_backward(float *dinp, const float *dout, const float *inp, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float x = inp[i];
        float g = x < -3.0f ? 0.0f : x > 3.0f ? 1.0f : (2.0f * x + 3.0f) / 6.0f;
        dinp[i] += g * dout[i];
    }
}

static float sigm(float x)
{
    if (x >= 0.0f)
        return 1.0f / (1.0f + expf(-x));
    float e = expf(x);
    return e / (1.0f + e);
}

void cc_silu_forward(float *out, const float *inp, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = inp[i] * sigm(inp[i]);
}

void cc_silu_backward(float *dinp, const float *dout, const float *inp, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float s = sigm(inp[i]);
        dinp[i] += dout[i] * s * (1.0f + inp[i] * (1.0f - s));
    }
}

void cc_gelu_forward(float *out, const float *inp, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double x = inp[i];
        out[i] = (float)(0.5 * x * (1.0 + erf(x / sqrt(2.0))));
    }
}

void cc_gelu_backward(float *dinp, const float *dout, const float *inp, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double x = inp[i];
        double cdf = 0.5 * (1.0 + erf(x / sqrt(2.0)));
        double pdf = exp(-0.5 * x * x) / sqrt(2.0 * M_PI);
        dinp[i] += (float)(dout[i] * (cdf + x * pdf));
    }
}

void cc_softplus_forward(float *out, const float *inp, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float x = inp[i];
        out[i] = x > 20.0f ? x : log1pf(expf(x));
    }
}

void cc_softplus_backward(float *dinp, const float *dout, const float *inp, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dinp[i] += dout[i] * (inp[i] > 20.0f ? 1.0f : sigm(inp[i]));
}

void cc_selu_forward(float *out, const float *inp, size_t n, float alpha, float gamma)
{
    for (size_t i = 0; i < n; i++) {
        float x = inp[i];
        out[i] = gamma * (x > 0.0f ? x : alpha * expm1f(x));
    }
}

void cc_selu_backward(float *dinp, const float *dout, const float *inp, size_t n,
                      float alpha, float gamma)
{
    for (size_t i = 0; i < n; i++) {
        float x = inp[i];
        dinp[i] += dout[i] * gamma * (x > 0.0f ? 1.0f : alpha * expf(x));
    }
}

void cc_prelu_forward(float *out, const float *inp, const float *w, long B, long C,
                      long inner, long nw)
{
    for (long b = 0; b < B; b++)
        for (long c = 0; c < C; c++) {
            const float a = w[nw == 1 ? 0 : c];
            const size_t o = ((size_t)b * C + c) * inner;
            for (long k = 0; k < inner; k++) {
                float x = inp[o + k];
                out[o + k] = x > 0.0f ? x : a * x;
            }
        }
}

void cc_prelu_backward(float *dinp, float *dw, const float *dout, const float *inp,
                       const float *w, long B, long C, long inner, long nw)
{
    for (long b = 0; b < B; b++)
        for (long c = 0; c < C; c++) {
            const long j = nw == 1 ? 0 : c;
            const size_t o = ((size_t)b * C + c) * inner;
            for (long k = 0; k < inner; k++) {
                float x = inp[o + k], g = dout[o + k];
                if (dinp)
                    dinp[o + k] += x > 0.0f ? g : w[j] * g;
                if (dw && !(x > 0.0f))
                    dw[j] += g * x;
            }
        }
}

void cc_log_softmax_forward(float *out, const float *inp, long outer, long K, long inner)
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
            double ls = log(s) + mx;
            for (long k = 0; k < K; k++)
                y[(size_t)k * inner] = (float)((double)x[(size_t)k * inner] - ls);
        }
}

void cc_softmax_backward(float *dinp, const float *dout, const float *out, long outer,
                         long K, long inner)
{
    for (long o = 0; o < outer; o++)
        for (long in = 0; in < inner; in++) {
            const size_t base = (size_t)o * K * inner + in;
            double dot = 0.0;
            for (long k = 0; k < K; k++)
                dot += (double)dout[base + (size_t)k * inner] * out[base + (size_t)k * inner];
            for (long k = 0; k < K; k++) {
                size_t e = base + (size_t)k * inner;
                dinp[e] += (float)(out[e] * (dout[e] - dot));
            }
        }
}

void cc_log_softmax_backward(float *dinp, const float *dout, const float *out, long outer,
                             long K, long inner)
{
    for (long o = 0; o < outer; o++)
        for (long in = 0; in < inner; in++) {
            const size_t base = (size_t)o * K * inner + in;
            double sum = 0.0;
            for (long k = 0; k < K; k++)
                sum += dout[base + (size_t)k * inner];
            for (long k = 0; k < K; k++) {
                size_t e = base + (size_t)k * inner;
                dinp[e] += (float)(dout[e] - exp((double)out[e]) * sum);
            }
        }
}
