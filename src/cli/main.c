/* main.c - the convcalc program: dispatch to a subcommand, or the TUI. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef CONVCALC_VERSION
#define CONVCALC_VERSION "0.1.0"
#endif

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"tui", cmd_tui, "open the interactive terminal application"},
    {"conv", cmd_conv, "work a convolution by hand, step by step"},
    {"shape", cmd_shape, "solve output size, padding, kernel, stride or input"},
    {"params", cmd_params, "parameter-count report of a layer stack"},
    {"exercise", cmd_exercise, "print an exercise sheet (and its solutions)"},
    {"check", cmd_check, "grade answer sheets against an exercise set"},
    {"train", cmd_train, "train a layer stack on a real data set"},
    {"eval", cmd_eval, "evaluate a saved model on a data set"},
    {"infer", cmd_infer, "run a model on one input and print its output"},
    {"bench", cmd_bench, "measure training and inference speed"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: convcalc [SUBCOMMAND] [OPTIONS]\n"
            "\n"
            "With no subcommand on a terminal, opens the interactive application.\n"
            "\n"
            "Subcommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n"
                 "Run 'convcalc SUBCOMMAND --help' for its options, or see convcalc(1).\n"
                 "Exit status: 0 success, 1 wrong answers (check), 2 bad usage or input,\n"
                 "3 internal or I/O failure.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
            fprintf(stderr,
                    "convcalc: the interactive application needs a terminal on standard "
                    "input and output.\n"
                    "Use a subcommand instead, e.g. 'convcalc conv --image \"1 2; 3 4\" "
                    "--kernel \"1 0; 0 1\"'; 'convcalc --help' lists them.\n");
            return CLI_USAGE;
        }
        char *targv[] = {"tui", NULL};
        return cmd_tui(1, targv);
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("convcalc %s\n", CONVCALC_VERSION);
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "convcalc: unknown subcommand '%s'\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
