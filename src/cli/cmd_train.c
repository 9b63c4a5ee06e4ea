/* cmd_train.c - `convcalc train`. Not built yet: see the project's open issues. */
#include "cli.h"

int cmd_train(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "convcalc: train: not available in this version yet\n");
    return CLI_FAILURE;
}
