/* cmd_tui.c - `convcalc tui`. Not built yet: see the project's open issues. */
#include "cli.h"

int cmd_tui(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "convcalc: tui: not available in this version yet\n");
    return CLI_FAILURE;
}
