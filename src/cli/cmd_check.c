/* cmd_check.c - `convcalc check`. Not built yet: see the project's open issues. */
#include "cli.h"

int cmd_check(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "convcalc: check: not available in this version yet\n");
    return CLI_FAILURE;
}
