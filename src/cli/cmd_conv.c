/* cmd_conv.c - `convcalc conv`. Not built yet: see the project's open issues. */
#include "cli.h"

int cmd_conv(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "convcalc: conv: not available in this version yet\n");
    return CLI_FAILURE;
}
