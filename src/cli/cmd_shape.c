/* cmd_shape.c - `convcalc shape`. Not built yet: see the project's open issues. */
#include "cli.h"

int cmd_shape(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "convcalc: shape: not available in this version yet\n");
    return CLI_FAILURE;
}
