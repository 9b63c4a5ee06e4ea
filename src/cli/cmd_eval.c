/* cmd_eval.c - `convcalc eval`. Not built yet: see the project's open issues. */
#include "cli.h"

int cmd_eval(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "convcalc: eval: not available in this version yet\n");
    return CLI_FAILURE;
}
