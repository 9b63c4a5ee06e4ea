/* cmd_bench.c - `convcalc bench`. Not built yet: see the project's open issues. */
#include "cli.h"

int cmd_bench(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "convcalc: bench: not available in this version yet\n");
    return CLI_FAILURE;
}
