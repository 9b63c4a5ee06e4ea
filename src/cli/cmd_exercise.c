/* cmd_exercise.c - `convcalc exercise`. Not built yet: see the project's open issues. */
#include "cli.h"

int cmd_exercise(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "convcalc: exercise: not available in this version yet\n");
    return CLI_FAILURE;
}
