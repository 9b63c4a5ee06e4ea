/* cmd_params_onnx.c - `convcalc params MODEL.onnx`: the layers the engine
 * built from an ONNX graph, with their output shapes (from the graph) and
 * parameter counts, and the exact count of the initializers' values. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "convcalc/net.h"
#include "convcalc/onnx.h"
#include "convcalc/report.h"
#include "convcalc/svg.h"

int cli_is_onnx(const char *path)
{
    size_t n = strlen(path);
    return n > 5 && !strcasecmp(path + n - 5, ".onnx");
}

static void shape_text(char *b, size_t cap, const cc_net_layer_info *li)
{
    if (li->rank == 2)
        snprintf(b, cap, "%ld", li->out_c);
    else
        snprintf(b, cap, "%ldx%ldx%ld", li->out_c, li->out_h, li->out_w);
}

static int render(cc_buf *out, cc_net *net, const cc_onnx_info *info, const char *path,
                  cc_format fmt)
{
    size_t n = cc_net_layer_count(net);
    cc_net_layer_info li;
    if (fmt == CC_FORMAT_JSON) {
        cJSON *root = cJSON_CreateObject(), *layers = cJSON_CreateArray();
        cJSON_AddStringToObject(root, "file", path);
        cJSON_AddNumberToObject(root, "opset", info->opset);
        cJSON_AddStringToObject(root, "producer", info->producer);
        cJSON_AddStringToObject(root, "input", info->input_name);
        cJSON *dims = cJSON_CreateArray();
        for (int k = 0; k < info->in_rank; k++)
            cJSON_AddItemToArray(dims, cJSON_CreateNumber((double)info->in_dims[k]));
        cJSON_AddItemToObject(root, "input_dims", dims);
        for (size_t i = 0; i < n; i++) {
            cc_net_layer(net, i, &li, NULL);
            cJSON *l = cJSON_CreateObject(), *sh = cJSON_CreateArray();
            cJSON_AddNumberToObject(l, "index", (double)i);
            cJSON_AddStringToObject(l, "op", cc_op_name(li.op));
            cJSON_AddItemToArray(sh, cJSON_CreateNumber((double)li.out_c));
            if (li.rank == 4) {
                cJSON_AddItemToArray(sh, cJSON_CreateNumber((double)li.out_h));
                cJSON_AddItemToArray(sh, cJSON_CreateNumber((double)li.out_w));
            }
            cJSON_AddItemToObject(l, "shape", sh);
            cJSON_AddNumberToObject(l, "params", (double)li.params);
            cJSON_AddNumberToObject(l, "buffers", (double)li.buffers);
            cJSON_AddItemToArray(layers, l);
        }
        cJSON_AddItemToObject(root, "layers", layers);
        cJSON_AddNumberToObject(root, "initializers", (double)info->initializers);
        cJSON_AddNumberToObject(root, "initializer_values", (double)info->initializer_values);
        cJSON_AddNumberToObject(root, "params", (double)cc_net_num_params(net));
        cJSON_AddNumberToObject(root, "buffers", (double)cc_net_num_buffers(net));
        char *s = cJSON_Print(root);
        cJSON_Delete(root);
        if (!s)
            return CC_ENOMEM;
        cc_buf_puts(out, s);
        cc_buf_puts(out, "\n");
        cJSON_free(s);
        return 0;
    }
    cc_table *t = cc_table_new(5);
    if (!t)
        return CC_ENOMEM;
    cc_table_header(t, 0, "#", 1);
    cc_table_header(t, 1, "Layer", 0);
    cc_table_header(t, 2, "Output shape", 0);
    cc_table_header(t, 3, "Params", 1);
    cc_table_header(t, 4, "Buffers", 1);
    for (size_t i = 0; i < n; i++) {
        char sh[96];
        cc_net_layer(net, i, &li, NULL);
        shape_text(sh, sizeof sh, &li);
        cc_table_row(t);
        cc_table_cell(t, 0, "%zu", i);
        cc_table_cell(t, 1, "%s", cc_op_name(li.op));
        cc_table_cell(t, 2, "%s", sh);
        cc_table_cell(t, 3, "%lld", (long long)li.params);
        cc_table_cell(t, 4, "%lld", (long long)li.buffers);
    }
    char in[128] = "";
    for (int k = 1; k < info->in_rank; k++)
        snprintf(in + strlen(in), sizeof in - strlen(in), "%s%ld", k > 1 ? "x" : "",
                 info->in_dims[k]);
    cc_buf_printf(out, "%s: ONNX model, opset %d%s%s; input '%s' %s per sample\n\n", path,
                  info->opset, info->producer[0] ? ", from " : "", info->producer,
                  info->input_name, in);
    int rc = cc_table_render(out, t, fmt);
    cc_table_free(t);
    if (rc)
        return rc;
    cc_buf_printf(out,
                  "\nInitializers: %zu tensors, %lld values\n"
                  "Parameters: %lld (trainable tensors of the layers above)\n"
                  "Buffers: %lld (BatchNorm running statistics and constants)\n",
                  info->initializers, (long long)info->initializer_values,
                  (long long)cc_net_num_params(net), (long long)cc_net_num_buffers(net));
    return 0;
}

int cli_params_onnx(const char *path, cc_format fmt)
{
    cc_error err;
    cc_error_clear(&err);
    cc_net *net = NULL;
    cc_onnx_info info;
    if (cc_onnx_load(&net, path, &info, &err))
        return cli_report(&err);
    cc_buf out = {0};
    int rc = render(&out, net, &info, path, fmt);
    cc_net_free(net);
    if (rc) {
        cc_buf_free(&out);
        fprintf(stderr, "convcalc: out of memory\n");
        return CLI_FAILURE;
    }
    rc = cli_write_stdout(&out);
    cc_buf_free(&out);
    return rc;
}

int cli_params_onnx_svg(const char *path, const cc_svg_opts *o)
{
    cc_error err;
    cc_error_clear(&err);
    cc_net *net = NULL;
    if (cc_onnx_load(&net, path, NULL, &err))
        return cli_report(&err);
    cc_stack *s = NULL;
    int rc = cc_net_to_stack(&s, net, &err);
    cc_net_free(net);
    if (rc)
        return cli_report(&err);
    cc_svg_opts so = *o;
    so.title = path;
    cc_buf out = {0};
    rc = cc_svg_stack(&out, s, &so, &err);
    cc_stack_free(s);
    if (rc) {
        cc_buf_free(&out);
        return cli_report(&err);
    }
    rc = cli_write_stdout(&out);
    cc_buf_free(&out);
    return rc;
}
