/* cmd_params.c - `convcalc params`. Not built yet: see the project's open issues. */
#include "cli.h"

int cmd_params(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "convcalc: params: not available in this version yet\n");
    return CLI_FAILURE;
}
