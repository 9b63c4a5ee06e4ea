/* layers_norm.c - BatchNorm1d/2d forward (training with batch statistics and
 * PyTorch's running-average update; eval with running statistics) and
 * backward. Statistics are accumulated in double. */
#include <math.h>

#include "convcalc/layers.h"

static int bn_check(long B, long C, long HW, cc_error *err)
{
    if (B < 1 || C < 1 || HW < 1)
        return cc_error_set(err, CC_EINVAL,
                            "batchnorm: sizes %ldx%ldx%ld (expected positive sizes)", B, C, HW);
    size_t n;
    if (cc_size_mul((size_t)B, (size_t)C, &n) || cc_size_mul(n, (size_t)HW, &n) ||
        n > ((size_t)1 << 34))
        return cc_error_set(err, CC_ERANGE, "batchnorm: a %ldx%ldx%ld input is too large",
                            B, C, HW);
    return CC_OK;
}

int cc_batchnorm_forward(float *out, float *mean, float *rstd, float *running_mean,
                         float *running_var, const float *inp, const float *weight,
                         const float *bias, long B, long C, long HW, float eps,
                         float momentum, int training, cc_error *err)
{
    int rc = bn_check(B, C, HW, err);
    if (rc)
        return rc;
    if (!out || !mean || !rstd || !inp)
        return cc_error_set(err, CC_EINVAL, "batchnorm: a required buffer is missing");
    if (!(eps > 0.0f) || !isfinite(eps))
        return cc_error_set(err, CC_EINVAL, "batchnorm: eps is %g (expected a positive number)",
                            (double)eps);
    if (!(momentum >= 0.0f && momentum <= 1.0f))
        return cc_error_set(err, CC_EINVAL, "batchnorm: momentum is %g (expected 0 to 1)",
                            (double)momentum);
    const size_t n = (size_t)B * HW; /* values per channel */
    if (training && n < 2)
        return cc_error_set(err, CC_ESHAPE,
                            "batchnorm: training needs more than one value per channel "
                            "(got batch %ld x %ld)", B, HW);
    if (!training && (!running_mean || !running_var))
        return cc_error_set(err, CC_EINVAL, "batchnorm: eval mode needs the running statistics");
    for (long c = 0; c < C; c++) {
        double m, v;
        if (training) {
            double s = 0.0;
            for (long b = 0; b < B; b++) {
                const float *x = inp + ((size_t)b * C + c) * HW;
                for (long k = 0; k < HW; k++)
                    s += x[k];
            }
            m = s / (double)n;
            double q = 0.0;
            for (long b = 0; b < B; b++) {
                const float *x = inp + ((size_t)b * C + c) * HW;
                for (long k = 0; k < HW; k++) {
                    double t = x[k] - m;
                    q += t * t;
                }
            }
            v = q / (double)n;
        } else {
            m = running_mean[c];
            v = running_var[c];
        }
        double r = 1.0 / sqrt(v + (double)eps);
        if (!isfinite(m) || !isfinite(r))
            return cc_error_set(err, CC_ENUMERIC,
                                "batchnorm: channel %ld has a non-finite %s", c,
                                training ? "batch statistic" : "running statistic");
        mean[c] = (float)m;
        rstd[c] = (float)r;
        float g = weight ? weight[c] : 1.0f, be = bias ? bias[c] : 0.0f;
        for (long b = 0; b < B; b++) {
            const float *x = inp + ((size_t)b * C + c) * HW;
            float *y = out + ((size_t)b * C + c) * HW;
            for (long k = 0; k < HW; k++)
                y[k] = (float)((x[k] - m) * r) * g + be;
        }
        if (training && running_mean && running_var) {
            double unbiased = v * (double)n / (double)(n - 1);
            running_mean[c] = (float)((1.0 - momentum) * running_mean[c] + momentum * m);
            running_var[c] = (float)((1.0 - momentum) * running_var[c] + momentum * unbiased);
        }
    }
    return CC_OK;
}

int cc_batchnorm_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                          const float *inp, const float *mean, const float *rstd,
                          const float *weight, long B, long C, long HW, int training,
                          cc_error *err)
{
    int rc = bn_check(B, C, HW, err);
    if (rc)
        return rc;
    if (!dout || !inp || !mean || !rstd)
        return cc_error_set(err, CC_EINVAL, "batchnorm: a required buffer is missing");
    const double n = (double)B * HW;
    for (long c = 0; c < C; c++) {
        const double m = mean[c], r = rstd[c];
        const double g = weight ? weight[c] : 1.0;
        double sdy = 0.0, sdyx = 0.0; /* sum dout, sum dout * xhat */
        for (long b = 0; b < B; b++) {
            const float *x = inp + ((size_t)b * C + c) * HW;
            const float *dy = dout + ((size_t)b * C + c) * HW;
            for (long k = 0; k < HW; k++) {
                sdy += dy[k];
                sdyx += dy[k] * ((x[k] - m) * r);
            }
        }
        if (dweight)
            dweight[c] += (float)sdyx;
        if (dbias)
            dbias[c] += (float)sdy;
        if (!dinp)
            continue;
        /* training: dx = g*r*(dy - mean(dy) - xhat*mean(dy*xhat));
         * eval: the statistics are constants, dx = g*r*dy */
        const double a = training ? sdy / n : 0.0, q = training ? sdyx / n : 0.0;
        for (long b = 0; b < B; b++) {
            const float *x = inp + ((size_t)b * C + c) * HW;
            const float *dy = dout + ((size_t)b * C + c) * HW;
            float *dx = dinp + ((size_t)b * C + c) * HW;
            for (long k = 0; k < HW; k++) {
                double xh = (x[k] - m) * r;
                dx[k] += (float)(g * r * (dy[k] - a - xh * q));
            }
        }
    }
    return CC_OK;
}
